package io.tandem.engine.query;

import io.tandem.core.GroupKey;
import io.tandem.core.time.Timestamps;
import io.tandem.spi.view.CompiledView;

import java.util.List;
import java.util.Map;

/** The dimension values a query or a subscription asks for (as text in the URL), parsed to each dimension's type. */
public final class DimensionFilter {

    private final Object[] wanted;

    private DimensionFilter(Object[] wanted) {
        this.wanted = wanted;
    }

    /**
     * @param otherParameters the request's other parameters, named in the error for an unknown one
     * @throws QueryException (400) naming an unknown dimension or a value of the wrong type
     */
    public static DimensionFilter parse(CompiledView view, Map<String, String> dims, String otherParameters) {
        List<String> groupBy = view.def().groupBy();
        Object[] wanted = new Object[groupBy.size()];
        for (Map.Entry<String, String> e : dims.entrySet()) {
            int i = groupBy.indexOf(e.getKey());
            if (i < 0) {
                throw QueryException.badRequest("unknown parameter '" + e.getKey() + "' (view '" + view.name()
                        + "' dimensions: " + String.join(", ", groupBy) + "; parameters: " + otherParameters + ")");
            }
            String text = e.getValue();
            try {
                wanted[i] = switch (view.dimType(i)) {
                    case STRING -> text;
                    case LONG -> Long.parseLong(text);
                    case TIMESTAMP -> Timestamps.parse(text);
                    case DOUBLE -> Double.parseDouble(text);
                    case BOOLEAN -> parseBoolean(text);
                };
            } catch (IllegalArgumentException ex) {
                throw QueryException.badRequest(e.getKey() + ": expected " + view.dimType(i).configName() + ", got \""
                        + text + "\"");
            }
        }
        return new DimensionFilter(wanted);
    }

    private static Boolean parseBoolean(String text) {
        if (text.equals("true") || text.equals("false")) {
            return Boolean.valueOf(text);
        }
        throw new IllegalArgumentException(text);
    }

    /** Whether the filter names no dimension, so that every group matches. */
    public boolean acceptsAll() {
        for (Object w : wanted) {
            if (w != null) {
                return false;
            }
        }
        return true;
    }

    public boolean matches(GroupKey dims) {
        for (int i = 0; i < wanted.length; i++) {
            if (wanted[i] != null && !wanted[i].equals(dims.get(i))) {
                return false;
            }
        }
        return true;
    }

    /** The one group asked for when every dimension is given, or null. */
    public GroupKey exactKey() {
        for (Object w : wanted) {
            if (w == null) {
                return null;
            }
        }
        return wanted.length == 0 ? GroupKey.EMPTY : GroupKey.of(wanted.clone());
    }
}
