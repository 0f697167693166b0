package io.tandem.engine.hot;

import io.tandem.core.Row;
import io.tandem.core.StreamDef;
import io.tandem.core.TandemConfig;
import io.tandem.core.codec.JsonEvents;
import io.tandem.core.config.ConfigLoader;
import io.tandem.engine.EngineMetrics;
import io.tandem.engine.log.FileEventLog;
import io.tandem.engine.store.ForwardingRealtimeStore;
import io.tandem.engine.store.InMemoryRealtimeStore;
import io.tandem.spi.log.EventLog;
import io.tandem.spi.store.IdempotencyRecord;
import io.tandem.spi.store.RealtimeStore;
import io.tandem.spi.store.StateKey;
import io.tandem.spi.view.Catalog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * No event stops a partition's hot-path thread: a record it cannot read is skipped whole, and a listener that
 * throws, on an event or on a commit, is counted and logged while the worker goes on with the next records; a
 * store that fails is acquired again and the log replayed from what it committed.
 */
class HotPathFailuresTest {

    private static final long T = 1_800_000_000_000L;

    private static final TandemConfig CONFIG = ConfigLoader.parse("""
            streams:
              trades:
                time: ts
                fields: {symbol: string, qty: long}
            views:
              totals:
                from: trades
                granularity: 1d
                measures: {trades: count, volume: sum(qty)}
            """, "test.yaml");

    @TempDir
    Path dir;

    /** Throws on every event of qty 13 and on the first commit. */
    static final class Failing implements HotPathListener {
        final AtomicInteger commits = new AtomicInteger();

        @Override
        public void onEvent(StreamDef stream, int partition, Row row) {
            if (row.getLong(stream.indexOf("qty")) == 13) {
                throw new IllegalStateException("listener fails on qty 13");
            }
        }

        @Override
        public void onCommit(StreamDef stream, int partition, Set<StateKey> changed, long watermark) {
            if (commits.getAndIncrement() == 0) {
                throw new IllegalStateException("listener fails on the first commit");
            }
        }
    }

    /** Remembers the qty of every event it is told about. */
    static final class Recording implements HotPathListener {
        final List<Long> quantities = new ArrayList<>();

        @Override
        public void onEvent(StreamDef stream, int partition, Row row) {
            quantities.add(row.getLong(stream.indexOf("qty")));
        }
    }

    private static List<byte[]> events(StreamDef stream, long... quantities) {
        StringBuilder body = new StringBuilder();
        for (long q : quantities) {
            body.append("{\"ts\":").append(T).append(",\"symbol\":\"A\",\"qty\":").append(q).append("}\n");
        }
        JsonEvents.Result parsed = new JsonEvents(stream).parse(body.toString().getBytes(StandardCharsets.UTF_8), T);
        assertThat(parsed.errors()).isEmpty();
        return parsed.accepted();
    }

    /** The view's trades and volume over every entry of the store. */
    private static long[] totals(Catalog catalog, RealtimeStore store) {
        long[] totals = new long[2];
        store.scan("totals", Long.MIN_VALUE, Long.MAX_VALUE, d -> true, (key, accs) -> {
            Object[] results = catalog.view("totals").results(accs);
            totals[0] += (Long) results[0];
            totals[1] += (Long) results[1];
        });
        return totals;
    }

    @Test
    void when_aRecordIsUnreadable_orAListenerThrows_then_theWorkerCountsItAndGoesOn() throws Exception {
        Catalog catalog = new Catalog(CONFIG);
        StreamDef stream = CONFIG.streams().get("trades");
        EngineMetrics metrics = new EngineMetrics();
        AtomicLong clock = new AtomicLong(T);
        Failing failing = new Failing();
        Recording recording = new Recording();
        try (EventLog log = FileEventLog.open(dir.resolve("log"), 1, 3_600_000, clock::get,
                FileEventLog.Options.defaults());
             InMemoryRealtimeStore store = new InMemoryRealtimeStore(catalog, dir.resolve("store"))) {
            HotPath hot = new HotPath(catalog, Map.of("trades", log), store, metrics, clock::get,
                    List.of(failing, recording), false, DeadLetters.open(dir.resolve("dead"), List.of("trades")));
            hot.start();
            try {
                // 1. one request: an event the listener throws on, and a record too short to decode
                List<byte[]> first = new ArrayList<>(events(stream, 1, 13));
                first.add(new byte[] {1, 2, 3});
                first.addAll(events(stream, 2));
                log.append(0, null, first).join();
                await().atMost(Duration.ofSeconds(10)).until(() -> store.committedOffset("trades", 0) == 4);

                // 2. the first commit's listener failed: the worker still applies what comes next
                log.append(0, null, events(stream, 5)).join();
                await().atMost(Duration.ofSeconds(10)).until(() -> store.committedOffset("trades", 0) == 5);
            } finally {
                hot.close();
            }

            // 3. every readable event counts, the one the listener threw on too; the other listener saw them all
            assertThat(totals(catalog, store)).containsExactly(4, 1 + 13 + 2 + 5);
            assertThat(recording.quantities).containsExactly(1L, 13L, 2L, 5L);
            assertThat(metrics.registry().get("tandem.hot.bad.records").tag("stream", "trades").counter().count())
                    .isEqualTo(1.0);
            assertThat(metrics.registry().get("tandem.hot.listener.failures").tag("stream", "trades").counter()
                    .count()).isEqualTo(2.0);
        }
    }

    /**
     * Fails the first acquire; fails the first commit before it reaches the store, and the second after it did
     * (as when Redis ran a script and the answer was lost).
     */
    static final class Flaky extends ForwardingRealtimeStore {
        final AtomicInteger acquires = new AtomicInteger();
        final AtomicInteger commits = new AtomicInteger();

        Flaky(RealtimeStore store) {
            super(store);
        }

        @Override
        public long acquire(String stream, int partition) {
            if (acquires.getAndIncrement() == 0) {
                throw new IllegalStateException("store unreachable");
            }
            return super.acquire(stream, partition);
        }

        @Override
        public void commit(String stream, int partition, long nextOffset, Map<StateKey, Object[]> deltas,
                           List<IdempotencyRecord> idempotency) {
            int n = commits.incrementAndGet();
            if (n == 1) {
                throw new IllegalStateException("connection reset before the commit");
            }
            super.commit(stream, partition, nextOffset, deltas, idempotency);
            if (n == 2) {
                throw new IllegalStateException("connection reset after the commit");
            }
        }
    }

    @Test
    void when_theStoreFails_then_theWorkerAcquiresAgainAndReplays_countingEachEventOnce() throws Exception {
        Catalog catalog = new Catalog(CONFIG);
        StreamDef stream = CONFIG.streams().get("trades");
        EngineMetrics metrics = new EngineMetrics();
        AtomicLong clock = new AtomicLong(T);
        try (EventLog log = FileEventLog.open(dir.resolve("log"), 1, 3_600_000, clock::get,
                FileEventLog.Options.defaults());
             InMemoryRealtimeStore memory = new InMemoryRealtimeStore(catalog, null)) {
            Flaky store = new Flaky(memory);
            HotPath hot = new HotPath(catalog, Map.of("trades", log), store, metrics, clock::get, List.of(), false,
                    DeadLetters.open(dir.resolve("dead"), List.of("trades")));
            log.append(0, null, events(stream, 1, 2)).join();
            hot.start();
            try {
                await().atMost(Duration.ofSeconds(30)).until(() -> store.commits.get() >= 2);
                log.append(0, null, events(stream, 4)).join();
                await().atMost(Duration.ofSeconds(30)).until(() -> memory.committedOffset("trades", 0) == 3);
            } finally {
                hot.close();
            }
            assertThat(totals(catalog, memory)).containsExactly(3, 1 + 2 + 4);
            assertThat(metrics.registry().get("tandem.hot.store.failures").tag("stream", "trades").counter().count())
                    .isEqualTo(3.0);
        }
    }

    @Test
    void when_somethingEscapesTheWorker_then_itStopsAndSaysWhy_andTheOtherPartitionsGoOn() throws Exception {
        Catalog catalog = new Catalog(CONFIG);
        StreamDef stream = CONFIG.streams().get("trades");
        EngineMetrics metrics = new EngineMetrics();
        AtomicLong clock = new AtomicLong(T);
        HotPathListener broken = new HotPathListener() {
            @Override
            public void onEvent(StreamDef s, int partition, io.tandem.core.Row row) {
                if (partition == 1) {
                    throw new AssertionError("a bug that is not an exception");
                }
            }
        };
        try (EventLog log = FileEventLog.open(dir.resolve("log"), 2, 3_600_000, clock::get,
                FileEventLog.Options.defaults());
             InMemoryRealtimeStore store = new InMemoryRealtimeStore(catalog, null)) {
            HotPath hot = new HotPath(catalog, Map.of("trades", log), store, metrics, clock::get, List.of(broken),
                    false, DeadLetters.open(dir.resolve("dead"), List.of("trades")));
            log.append(0, null, events(stream, 1, 2)).join();
            log.append(1, null, events(stream, 4)).join();
            hot.start();
            try {
                await().atMost(Duration.ofSeconds(30)).until(() -> !hot.failures("trades").isEmpty()
                        && store.committedOffset("trades", 0) == 2);
                assertThat(hot.failures("trades")).containsOnlyKeys(1);
                assertThat(hot.failures("trades").get(1)).contains("a bug that is not an exception");
                assertThat(store.committedOffset("trades", 1)).isZero();
            } finally {
                hot.close();
            }
        }
    }
}
