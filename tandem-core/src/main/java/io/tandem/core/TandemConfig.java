package io.tandem.core;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A whole validated {@code tandem.yaml}: the streams, the views over them, how often the batch layer runs, the
 * scheduled reports, the alert rules, the hybrid workloads (analyses, search indexes, the query cache), the
 * limits of the DuckDB instances, what each swappable part runs on and who may use the HTTP API.
 *
 * @param batchEvery a batch run starts automatically after this many newly sealed epochs
 */
public record TandemConfig(long epochMs, Map<String, StreamDef> streams, Map<String, ViewDef> views, int batchEvery,
                           Map<String, ReportDef> reports, Map<String, AlertDef> alerts,
                           Map<String, AnalysisDef> analyses, Map<String, IndexDef> indexes,
                           QueryCacheDef queryCache, DuckDbDef duckdb, DeploymentDef deployment,
                           SecurityDef security) {

    public static final long DEFAULT_EPOCH_MS = 3_600_000L;
    public static final long DEFAULT_LATENESS_MS = 5_000L;
    public static final int DEFAULT_BATCH_EVERY = 1;

    public TandemConfig {
        streams = Collections.unmodifiableMap(new LinkedHashMap<>(streams));
        views = Collections.unmodifiableMap(new LinkedHashMap<>(views));
        reports = Collections.unmodifiableMap(new LinkedHashMap<>(reports));
        alerts = Collections.unmodifiableMap(new LinkedHashMap<>(alerts));
        analyses = Collections.unmodifiableMap(new LinkedHashMap<>(analyses));
        indexes = Collections.unmodifiableMap(new LinkedHashMap<>(indexes));
    }

    /** Streams, views, reports and alerts, with no analyses or indexes and the default query cache and limits. */
    public TandemConfig(long epochMs, Map<String, StreamDef> streams, Map<String, ViewDef> views, int batchEvery,
                        Map<String, ReportDef> reports, Map<String, AlertDef> alerts) {
        this(epochMs, streams, views, batchEvery, reports, alerts, Map.of(), Map.of(), QueryCacheDef.DEFAULT,
                DuckDbDef.defaults(), DeploymentDef.embedded(), SecurityDef.NONE);
    }

    /** Streams and views only, with the default batch cadence and no reports. */
    public TandemConfig(long epochMs, Map<String, StreamDef> streams, Map<String, ViewDef> views) {
        this(epochMs, streams, views, DEFAULT_BATCH_EVERY, Map.of(), Map.of());
    }

    /** The same config with another epoch length. */
    public TandemConfig withEpochMs(long epoch) {
        return new TandemConfig(epoch, streams, views, batchEvery, reports, alerts, analyses, indexes,
                queryCache, duckdb, deployment, security);
    }

    /** The same config with another batch cadence. */
    public TandemConfig withBatchEvery(int epochs) {
        return new TandemConfig(epochMs, streams, views, epochs, reports, alerts, analyses, indexes,
                queryCache, duckdb, deployment, security);
    }

    /** The same config with these alert rules. */
    public TandemConfig withAlerts(Map<String, AlertDef> rules) {
        return new TandemConfig(epochMs, streams, views, batchEvery, reports, rules, analyses, indexes,
                queryCache, duckdb, deployment, security);
    }

    /** The same config with these views. */
    public TandemConfig withViews(Map<String, ViewDef> defs) {
        return new TandemConfig(epochMs, streams, defs, batchEvery, reports, alerts, analyses, indexes,
                queryCache, duckdb, deployment, security);
    }

    /** The same config with these analyses. */
    public TandemConfig withAnalyses(Map<String, AnalysisDef> defs) {
        return new TandemConfig(epochMs, streams, views, batchEvery, reports, alerts, defs, indexes,
                queryCache, duckdb, deployment, security);
    }

    /** The same config with these search indexes. */
    public TandemConfig withIndexes(Map<String, IndexDef> defs) {
        return new TandemConfig(epochMs, streams, views, batchEvery, reports, alerts, analyses, defs,
                queryCache, duckdb, deployment, security);
    }

    /** The same config with its parts on these implementations. */
    public TandemConfig withDeployment(DeploymentDef parts) {
        return new TandemConfig(epochMs, streams, views, batchEvery, reports, alerts, analyses, indexes, queryCache,
                duckdb, parts, security);
    }

    /** The same config with this query cache. */
    public TandemConfig withQueryCache(QueryCacheDef cache) {
        return new TandemConfig(epochMs, streams, views, batchEvery, reports, alerts, analyses, indexes, cache, duckdb,
                deployment, security);
    }

    /** The epoch an arrival time falls in: {@code floor(arrivalMs / epochMs)}. */
    public long epochOf(long arrivalMs) {
        return Math.floorDiv(arrivalMs, epochMs);
    }

    /** Where an epoch starts, in arrival time. */
    public long epochStart(long epoch) {
        return Math.multiplyExact(epoch, epochMs);
    }
}
