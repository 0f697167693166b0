package io.tandem.engine.live;

import io.tandem.core.GroupKey;
import io.tandem.core.time.Timestamps;
import io.tandem.engine.query.QueryException;
import io.tandem.engine.view.CompiledView;

import java.util.List;
import java.util.Map;

/**
 * What one subscriber follows: a view, and for each of its dimensions either one value or any. Made by
 * {@link LiveViews#filter}, which checks the view and parses each value to its dimension's type, as queries do.
 */
public final class LiveFilter {

    private final String view;
    private final Map<String, String> dims;
    private final Object[] wanted;

    private LiveFilter(String view, Map<String, String> dims, Object[] wanted) {
        this.view = view;
        this.dims = Map.copyOf(dims);
        this.wanted = wanted;
    }

    /**
     * @throws QueryException 404 for an unknown view, 400 for an unknown dimension or a value of the wrong type
     */
    static LiveFilter of(CompiledView view, Map<String, String> dims) {
        List<String> groupBy = view.def().groupBy();
        Object[] wanted = new Object[groupBy.size()];
        for (Map.Entry<String, String> e : dims.entrySet()) {
            int i = groupBy.indexOf(e.getKey());
            if (i < 0) {
                throw QueryException.badRequest("unknown parameter '" + e.getKey() + "' (view '" + view.name()
                        + "' dimensions: " + String.join(", ", groupBy) + "; parameters: lastEventId)");
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
        return new LiveFilter(view.name(), dims, wanted);
    }

    private static Boolean parseBoolean(String text) {
        if (text.equals("true") || text.equals("false")) {
            return Boolean.valueOf(text);
        }
        throw new IllegalArgumentException(text);
    }

    public String view() {
        return view;
    }

    /** The dimension values as given, by dimension name. */
    public Map<String, String> dims() {
        return dims;
    }

    boolean matches(RowKey key) {
        if (!key.view().equals(view)) {
            return false;
        }
        GroupKey g = key.dims();
        for (int i = 0; i < wanted.length; i++) {
            if (wanted[i] != null && !wanted[i].equals(g.get(i))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return view + dims;
    }
}
