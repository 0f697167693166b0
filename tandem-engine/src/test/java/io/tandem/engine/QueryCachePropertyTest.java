package io.tandem.engine;

import io.tandem.engine.query.QueryCache;
import io.tandem.engine.query.QueryCacheTest;
import io.tandem.engine.query.QueryResult;
import io.tandem.engine.query.ViewQuery;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Never a stale answer: seeded random interleavings of ingests (hot-path commits), arrival time moving on, batch
 * runs and full recomputes, and cached queries — repeated, overlapping, unaligned, rolled up, filtered or not —
 * where every answer the cache gives is compared with the same query answered without the cache at the same
 * state. The hot path is waited for with {@link Tandem#awaitCaughtUp} after each ingest.
 */
class QueryCachePropertyTest {

    private static final long EPOCH_MS = 1_000;
    private static final long START = 1_800_000_000_000L;
    private static final long MIN = 60_000;
    private static final int SCENARIOS = 6;
    private static final int STEPS = 60;

    @Test
    void everyCachedAnswerEqualsTheUncachedOne_acrossIngestsAndBatchRuns() throws IOException {
        long hits = 0;
        long invalidations = 0;
        for (int seed = 1; seed <= SCENARIOS; seed++) {
            QueryCache.Stats s = scenario(new Random(seed), seed);
            hits += s.hits();
            invalidations += s.invalidations();
        }
        // the scenarios exercised the cache: answers came from it, and commits invalidated some of them
        assertThat(hits).isPositive();
        assertThat(invalidations).isPositive();
    }

    private QueryCache.Stats scenario(Random random, int seed) throws IOException {
        Path dir = Files.createTempDirectory("tandem-cache-prop");
        AtomicLong clock = new AtomicLong(START);
        TandemOptions options = TandemOptions.defaults(dir).withPartitions(2).withClock(clock::get)
                .withAutomaticBatchRuns(false);
        List<ViewQuery> queries = queries();
        try (Tandem tandem = Tandem.start(TestConfigs.config(EPOCH_MS), options)) {
            for (int step = 0; step < STEPS; step++) {
                int kind = random.nextInt(10);
                if (kind < 3) {
                    // 1. an ingest: the hot path commits it to the buckets of its events
                    List<Reference.Trade> trades = new ArrayList<>();
                    for (int i = 0, n = 1 + random.nextInt(8); i < n; i++) {
                        trades.add(new Reference.Trade(List.of("AAPL", "MSFT", "ZVZZT").get(random.nextInt(3)),
                                1 + random.nextInt(10_000) / 100.0, (long) 1 + random.nextInt(100),
                                "t" + random.nextInt(3), START + (random.nextInt(13) - 6) * 30_000L,
                                random.nextInt(3), 0));
                    }
                    String body = trades.stream().map(Reference.Trade::json).collect(Collectors.joining("\n"));
                    assertThat(tandem.ingest("trades", body.getBytes(StandardCharsets.UTF_8), null).accepted())
                            .isEqualTo(trades.size());
                    assertThat(tandem.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();
                    clock.addAndGet(1);
                } else if (kind == 3) {
                    // 2. arrival time moves on: epochs end and can be sealed
                    clock.addAndGet(random.nextInt(2_500));
                } else if (kind == 4) {
                    // 3. a batch run (now and then a full one): the version changes, the cache is warmed
                    tandem.runBatch(random.nextInt(4) == 0).join();
                } else {
                    // 4. a few cached queries, each compared with the uncached answer
                    for (int i = 0, n = 1 + random.nextInt(4); i < n; i++) {
                        ViewQuery q = queries.get(random.nextInt(queries.size()));
                        QueryResult cached = tandem.query(q);
                        QueryResult uncached = tandem.queryCache().uncached(q);
                        assertEqual(cached, uncached, seed, step, q);
                    }
                }
            }
            // 5. after the last step every query still answers as the uncached one, twice
            for (ViewQuery q : queries) {
                assertEqual(tandem.query(q), tandem.queryCache().uncached(q), seed, STEPS, q);
                assertEqual(tandem.query(q), tandem.queryCache().uncached(q), seed, STEPS, q);
            }
            return tandem.queryCache().stats();
        }
    }

    private static void assertEqual(QueryResult cached, QueryResult uncached, int seed, int step, ViewQuery q) {
        try {
            QueryCacheTest.assertSame(cached, uncached);
        } catch (AssertionError e) {
            throw new AssertionError("seed " + seed + ", step " + step + ", " + q + ": " + e.getMessage(), e);
        }
    }

    /** Dashboard-like queries: the same ones again and again, overlapping ranges, roll-ups, filters. */
    private static List<ViewQuery> queries() {
        List<ViewQuery> qs = new ArrayList<>();
        for (Map<String, String> dims : List.of(Map.<String, String>of(), Map.of("symbol", "AAPL"),
                Map.of("symbol", "MSFT"))) {
            qs.add(new ViewQuery("trades_1m", START - 10 * MIN, START + 10 * MIN, 0, dims));
            qs.add(new ViewQuery("trades_1m", START - 10 * MIN + 7_000, START + 10 * MIN - 7_000, MIN, dims));
            qs.add(new ViewQuery("trades_1m", START - 2 * MIN, START + MIN, 0, dims));
            qs.add(new ViewQuery("trades_1m", START, START + 3 * MIN, 0, dims));
            qs.add(new ViewQuery("trades_1m", START - 10 * MIN, START + 10 * MIN, 5 * MIN, dims));
            qs.add(new ViewQuery("trades_1m", START - 86_400_000L, START + 86_400_000L, 3_600_000L, dims));
        }
        qs.add(new ViewQuery("by_batch", START - 86_400_000L, START + 86_400_000L, 0, Map.of()));
        qs.add(new ViewQuery("by_batch", START - 86_400_000L, START + 86_400_000L, 0, Map.of("batch", "1")));
        return qs;
    }
}
