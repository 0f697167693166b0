package io.tandem.engine.live;

import io.tandem.engine.query.DimensionFilter;
import io.tandem.engine.query.QueryException;
import io.tandem.spi.view.CompiledView;

import java.util.Map;

/**
 * What one subscriber follows: a view, and for each of its dimensions either one value or any. Made by
 * {@link LiveViews#filter}, which checks the view and parses each value to its dimension's type, as queries do.
 */
public final class LiveFilter {

    private final String view;
    private final Map<String, String> dims;
    private final DimensionFilter wanted;

    private LiveFilter(String view, Map<String, String> dims, DimensionFilter wanted) {
        this.view = view;
        this.dims = Map.copyOf(dims);
        this.wanted = wanted;
    }

    /**
     * @throws QueryException (400) naming an unknown dimension or a value of the wrong type
     */
    static LiveFilter of(CompiledView view, Map<String, String> dims) {
        return new LiveFilter(view.name(), dims, DimensionFilter.parse(view, dims, "last_event_id"));
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
        return wanted.matches(key.dims());
    }

    @Override
    public String toString() {
        return view + dims;
    }
}
