package io.tandem.engine.sql;

import java.util.List;

/**
 * The answer to one read-only query.
 *
 * <p>Values are JSON-friendly Java values: {@code null}, {@link Boolean}, {@link Number} (integers as
 * {@link Long} or {@link java.math.BigInteger}, decimals as {@link java.math.BigDecimal}, floats as {@link Double}),
 * {@link String} (timestamps as ISO-8601 in UTC like {@code 2026-11-25T10:00:00Z}, dates as {@code 2026-11-25},
 * blobs in base64, intervals, times and UUIDs as DuckDB prints them), {@link List} for lists and arrays, and
 * {@link java.util.Map} for structs and maps.
 *
 * @param columns   the column names, in order
 * @param types     each column's DuckDB type as DuckDB names it ({@code TIMESTAMP}, {@code DECIMAL(18,3)},
 *                  {@code VARCHAR[]}, ...)
 * @param rows      one list of values per row, in column order
 * @param truncated true when the query had more rows than the row limit and only the first ones are here
 * @param elapsedMs wall time from the check of the SQL to the last row read
 */
public record SqlResult(List<String> columns, List<String> types, List<List<Object>> rows, boolean truncated,
                        long elapsedMs) {

    public SqlResult {
        columns = List.copyOf(columns);
        types = List.copyOf(types);
        rows = List.copyOf(rows);
    }
}
