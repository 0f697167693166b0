package io.tandem.server;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Values as the API writes them: JSON has no NaN or infinity, so a non-finite double (a mean over no values, a
 * double sum out of the double range, a SQL {@code 'inf'::DOUBLE}) is written as {@code null}.
 */
final class JsonValues {

    private JsonValues() {
    }

    /** The value, or null for a non-finite double or float. */
    static Object finite(Object value) {
        if (value instanceof Double d && !Double.isFinite(d)) {
            return null;
        }
        if (value instanceof Float f && !Float.isFinite(f)) {
            return null;
        }
        return value;
    }

    /** A copy of named values with {@link #finite} applied, in their order. */
    static Map<String, Object> finite(Map<String, Object> values) {
        Map<String, Object> out = new LinkedHashMap<>();
        values.forEach((k, v) -> out.put(k, finite(v)));
        return out;
    }

    /** A copy of rows of values with {@link #finite} applied. */
    static List<List<Object>> finiteRows(List<List<Object>> rows) {
        List<List<Object>> out = new ArrayList<>(rows.size());
        for (List<Object> row : rows) {
            List<Object> r = new ArrayList<>(row.size());
            row.forEach(v -> r.add(finite(v)));
            out.add(r);
        }
        return out;
    }
}
