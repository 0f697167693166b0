package io.tandem.core;

/**
 * The merged-view query cache ({@code query_cache:} in the config).
 *
 * @param enabled  whether merged-view query results are cached
 * @param maxBytes the cache's bound, in estimated bytes of cached results
 * @param warm     how many of the most used queries are recomputed after each batch publish
 */
public record QueryCacheDef(boolean enabled, long maxBytes, int warm, Needs needs) {

    /** The default bound: 64 MiB. */
    public static final long DEFAULT_MAX_BYTES = 64L << 20;
    /** The default number of queries warmed after a publish. */
    public static final int DEFAULT_WARM = 20;
    /** The cache as it is when the config does not mention it: on, 64 MiB, 20 queries warmed. */
    public static final QueryCacheDef DEFAULT = new QueryCacheDef(true, DEFAULT_MAX_BYTES, DEFAULT_WARM, Needs.NONE);
}
