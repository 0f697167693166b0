package io.tandem.core;

/**
 * The limits of every DuckDB instance Tandem opens ({@code duckdb:} in the config): the lake writer, the batch
 * engine, the batch views' writer, the SQL sandbox, the report writer, the search index rebuilds and the analyses'
 * history each run within {@code memoryLimitBytes} and spill what does not fit into their own folder under
 * {@code <data-dir>/tmp/duckdb}.
 *
 * @param memoryLimitBytes DuckDB's {@code memory_limit} for each instance
 * @param threads          DuckDB's worker threads for each instance
 */
public record DuckDbDef(long memoryLimitBytes, int threads) {

    /** The default limit of each instance: 1 GiB. */
    public static final long DEFAULT_MEMORY_LIMIT = 1L << 30;
    /** The most threads an instance may be given. */
    public static final int MAX_THREADS = 256;

    /** The limits when the config does not mention them: 1 GiB and as many threads as the machine has cores. */
    public static DuckDbDef defaults() {
        return new DuckDbDef(DEFAULT_MEMORY_LIMIT, Math.min(MAX_THREADS, Runtime.getRuntime().availableProcessors()));
    }
}
