package io.tandem.engine.search;

import io.micrometer.core.instrument.MeterRegistry;
import io.tandem.core.IndexDef;
import io.tandem.core.Row;
import io.tandem.core.StreamDef;
import io.tandem.core.TandemConfig;
import io.tandem.spi.batch.BatchVersion;
import io.tandem.engine.duckdb.DuckDb;
import io.tandem.engine.hot.HotPathListener;
import io.tandem.spi.lake.Lake;
import io.tandem.spi.log.EventLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import java.util.function.ToLongBiFunction;

/**
 * The full-text search indexes of the config ({@code indexes:}), in {@code <data-dir>/index/<name>/}: each one a
 * batch part rebuilt from the lake after every batch publish, and a real-time part fed by the hot path and
 * searchable within a fraction of a second (see {@link SearchIndex} for how they add up to every event once).
 *
 * <p>The hot path hands each event of an indexed stream to this listener, which copies the fields and queues them
 * for the index's own indexing thread: the hot path never waits for Lucene, except when a queue of
 * {@value SearchIndex#QUEUE_CAPACITY} events is full (back-pressure, counted in {@code tandem_search_queue_full}).
 */
public final class SearchIndexes implements HotPathListener, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SearchIndexes.class);
    /** The most hits one search returns. */
    public static final int MAX_LIMIT = 10_000;

    /**
     * What one index holds.
     *
     * @param boundaryEpoch the last epoch of its batch part, or null before the first batch publish
     * @param batchVersion  the batch version the batch part was built for (0: none)
     * @param queued        events waiting for the indexing thread
     * @param lastRebuildMs how long the last batch rebuild took, or null before one
     * @param lastError     why the last rebuild failed (null when it succeeded); the previous part stays in use
     */
    public record IndexStatus(String name, String stream, List<String> fields, Long boundaryEpoch,
                              long batchVersion, long batchDocs, long realtimeDocs, int queued, Long lastRebuildMs,
                              String lastError) {
    }

    private final long epochMs;
    private final Map<String, SearchIndex> indexes = new LinkedHashMap<>();
    private final Map<String, SearchIndex[]> byStream = new LinkedHashMap<>();
    private final AtomicReference<BatchVersion> wanted = new AtomicReference<>();
    private final ExecutorService rebuilds = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "search-rebuild");
        t.setDaemon(true);
        return t;
    });

    /**
     * Opens every index of the config, each brought to {@code current}'s boundary and caught up to the hot path's
     * checkpoint. Call before the hot path starts.
     *
     * @param hotOffset the hot path's committed offset of a (stream, partition)
     */
    public SearchIndexes(TandemConfig config, Path dir, Map<String, EventLog> logs, Lake lake, BatchVersion current,
                         ToLongBiFunction<String, Integer> hotOffset, LongSupplier clock, MeterRegistry meters,
                         DuckDb duckdb) {
        this.epochMs = config.epochMs();
        wanted.set(current);
        Map<String, List<SearchIndex>> streams = new LinkedHashMap<>();
        try {
            for (IndexDef def : config.indexes().values()) {
                StreamDef stream = config.streams().get(def.stream());
                SearchIndex index = new SearchIndex(def, stream, dir.resolve(def.name()), logs.get(def.stream()),
                        lake, current.boundaryEpoch(), current.version(), p -> hotOffset.applyAsLong(def.stream(), p),
                        epochMs, clock, meters, duckdb);
                indexes.put(def.name(), index);
                streams.computeIfAbsent(def.stream(), s -> new ArrayList<>()).add(index);
            }
        } catch (IOException | RuntimeException e) {
            close();
            if (e instanceof IOException io) {
                throw new UncheckedIOException("cannot open the search indexes in " + dir, io);
            }
            throw (RuntimeException) e;
        }
        streams.forEach((s, list) -> byStream.put(s, list.toArray(SearchIndex[]::new)));
    }

    /** The names of the indexes, in config order. */
    public List<String> names() {
        return List.copyOf(indexes.keySet());
    }

    /**
     * Searches an index.
     *
     * @param query  Lucene's classic query syntax over the index's fields ({@code headline:merger AND source:wire},
     *               {@code "profit warning"}, {@code acq*}, {@code *:*} for every event)
     * @param fromMs events with an event time in {@code [fromMs, toMs)} only ({@link Long#MIN_VALUE} and
     *               {@link Long#MAX_VALUE}: no bound)
     * @param limit  the most hits returned, 1 to {@value #MAX_LIMIT}; {@link SearchResult#total} counts them all
     * @throws SearchException naming the problem: an unknown index (not found), a query that does not parse or
     *                         names a field the index does not search, bad bounds or limit
     */
    public SearchResult search(String index, String query, long fromMs, long toMs, int limit) {
        SearchIndex i = indexes.get(index);
        if (i == null) {
            throw SearchException.notFound("index: unknown index '" + index + "' (indexes: "
                    + (indexes.isEmpty() ? "none configured" : String.join(", ", indexes.keySet())) + ")");
        }
        if (query == null || query.isBlank()) {
            throw SearchException.badRequest("q: required (Lucene query syntax, e.g. headline:merger; *:* for every "
                    + "event)");
        }
        if (fromMs >= toMs) {
            throw SearchException.badRequest("from: must be before to, got from " + fromMs + " and to " + toMs);
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            throw SearchException.badRequest("limit: expected 1 to " + MAX_LIMIT + ", got " + limit);
        }
        return i.search(query, fromMs, toMs, limit);
    }

    /** What an index holds. */
    public IndexStatus status(String index) {
        SearchIndex i = indexes.get(index);
        if (i == null) {
            throw SearchException.notFound("index: unknown index '" + index + "' (indexes: "
                    + String.join(", ", indexes.keySet()) + ")");
        }
        return i.status();
    }

    /** Every index's status, in config order. */
    public List<IndexStatus> statuses() {
        return indexes.values().stream().map(SearchIndex::status).toList();
    }

    @Override
    public void onEvent(StreamDef stream, int partition, Row row) {
        SearchIndex[] targets = byStream.get(stream.name());
        if (targets == null) {
            return;
        }
        IndexedEvent e = IndexedEvent.copy(stream, partition, row, Math.floorDiv(row.arrivalTime(), epochMs));
        for (SearchIndex index : targets) {
            index.offer(e);
        }
    }

    /**
     * After a batch publish: rebuilds every index's batch part for the new boundary on the rebuild thread, in
     * the background. Publishes that come while a rebuild runs are folded into one rebuild for the newest.
     */
    public void published(BatchVersion version) {
        wanted.accumulateAndGet(version, (a, b) -> b.version() > a.version() ? b : a);
        rebuilds.execute(this::rebuildToWanted);
    }

    private void rebuildToWanted() {
        BatchVersion v = wanted.get();
        for (SearchIndex index : indexes.values()) {
            if (index.boundary() == v.boundaryEpoch()) {
                continue;
            }
            try {
                index.rebuild(v.boundaryEpoch(), v.version());
            } catch (IOException | RuntimeException e) {
                LOG.error("search index {}: the rebuild for batch version {} failed; the previous batch part stays "
                        + "in use, and the next publish tries again", index.name(), v.version(), e);
            }
        }
    }

    /** Commits every index's real-time part (at maintenance time). */
    public void commit() {
        for (SearchIndex index : indexes.values()) {
            try {
                index.commit();
            } catch (IOException | RuntimeException e) {
                LOG.warn("search index {}: commit failed; will retry: {}", index.name(), e.toString());
            }
        }
    }

    /** Stops rebuilding, indexes what is queued, commits and closes. Call once the hot path has stopped. */
    @Override
    public void close() {
        indexes.values().forEach(SearchIndex::stopping);
        rebuilds.shutdown();
        try {
            rebuilds.awaitTermination(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (SearchIndex index : indexes.values()) {
            try {
                index.close();
            } catch (IOException | RuntimeException e) {
                LOG.warn("search index {}: close failed: {}", index.name(), e.toString());
            }
        }
    }
}
