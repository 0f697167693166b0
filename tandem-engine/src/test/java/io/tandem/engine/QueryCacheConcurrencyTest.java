package io.tandem.engine;

import io.tandem.engine.query.QueryCacheTest;
import io.tandem.engine.query.QueryResult;
import io.tandem.engine.query.ViewQuery;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Queries on other threads while the hot path applies events and batch runs publish: once a commit is visible
 * (the writer saw the hot path catch up past it), no answer, cached or not, may be older than it.
 */
class QueryCacheConcurrencyTest {

    private static final long EPOCH_MS = 1_000;
    private static final long START = 1_800_000_000_000L;
    private static final long MIN = 60_000;
    private static final int EVENTS = 300;

    @Test
    void when_eventsAreAppliedWhileOthersQuery_then_noAnswerIsOlderThanTheLastVisibleCommit() throws Exception {
        Path dir = Files.createTempDirectory("tandem-cache-race");
        AtomicLong clock = new AtomicLong(START);
        TandemOptions options = TandemOptions.defaults(dir).withPartitions(2).withClock(clock::get)
                .withAutomaticBatchRuns(false);
        ViewQuery aapl = new ViewQuery("trades_1m", START - 10 * MIN, START + 10 * MIN, 0, Map.of("symbol", "AAPL"));
        ViewQuery all = new ViewQuery("trades_1m", START - 10 * MIN, START + 10 * MIN, 5 * MIN, Map.of());
        ViewQuery msft = new ViewQuery("trades_1m", START - 10 * MIN, START + 10 * MIN, 0, Map.of("symbol", "MSFT"));
        ExecutorService readers = Executors.newFixedThreadPool(2);
        try (Tandem tandem = Tandem.start(TestConfigs.config(EPOCH_MS), options)) {
            // 1. MSFT gets 5 trades and no more: its answer must never change
            ingest(tandem, "MSFT", 5);
            assertThat(tandem.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();
            AtomicLong visible = new AtomicLong();
            AtomicBoolean done = new AtomicBoolean();
            // 2. readers ask the same queries over and over; each notes the AAPL count visible before it asks
            List<CompletableFuture<Long>> asked = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                asked.add(CompletableFuture.supplyAsync(() -> {
                    long n = 0;
                    while (!done.get()) {
                        long floor = visible.get();
                        assertThat(count(tandem.query(aapl))).as("AAPL trades, %d visible", floor)
                                .isBetween(floor, (long) EVENTS);
                        assertThat(count(tandem.query(all))).isBetween(floor + 5, EVENTS + 5L);
                        assertThat(count(tandem.query(msft))).isEqualTo(5);
                        n++;
                    }
                    return n;
                }, readers));
            }
            // 3. the writer: one AAPL trade at a time, made visible before the next; a batch run now and then
            for (int i = 1; i <= EVENTS; i++) {
                ingest(tandem, "AAPL", 1);
                assertThat(tandem.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();
                visible.set(i);
                if (i % 50 == 0) {
                    clock.addAndGet(3 * EPOCH_MS);
                    tandem.runBatch(false).join();
                }
                clock.addAndGet(1);
            }
            done.set(true);
            for (CompletableFuture<Long> f : asked) {
                assertThat(f.get()).isPositive();
            }
            // 4. at rest, the cached answers are the uncached ones, and the cache did serve some
            for (ViewQuery q : List.of(aapl, all, msft)) {
                QueryCacheTest.assertSame(tandem.query(q), tandem.queryCache().uncached(q));
            }
            assertThat(count(tandem.query(aapl))).isEqualTo(EVENTS);
            assertThat(tandem.queryCache().stats().hits()).isPositive();
            assertThat(tandem.queryCache().stats().invalidations()).isPositive();
        } finally {
            readers.shutdownNow();
        }
    }

    private static void ingest(Tandem tandem, String symbol, int n) {
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < n; i++) {
            body.append(new Reference.Trade(symbol, 10.0, 1L, "t1", START + 30_000, 0, 0).json()).append('\n');
        }
        assertThat(tandem.ingest("trades", body.toString().getBytes(StandardCharsets.UTF_8), null).accepted())
                .isEqualTo(n);
    }

    /** The trades counted over every row of an answer. */
    private static long count(QueryResult r) {
        return r.rows().stream().mapToLong(row -> (Long) row.values()[0]).sum();
    }
}
