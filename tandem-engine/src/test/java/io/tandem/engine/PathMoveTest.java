package io.tandem.engine;

import io.tandem.core.Needs;
import io.tandem.core.TandemConfig;
import io.tandem.core.ViewDef;
import io.tandem.core.plan.Placement;
import io.tandem.core.plan.WorkloadKind;
import io.tandem.engine.batchview.BatchRun;
import io.tandem.engine.query.QueryException;
import io.tandem.engine.query.QueryResult;
import io.tandem.engine.query.ViewQuery;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Moving a view between paths is a config change and a restart: a view moved from hot + cold to the cold path only
 * keeps no hot state and answers exactly what the batch covers; moved back, it answers exactly again, its real-time
 * part rebuilt from the log. Events arrive on both sides of each change, some of them not yet sealed.
 */
class PathMoveTest {

    private static final long EPOCH_MS = 1_000;
    private static final long START = 1_800_000_000_000L;
    private static final Needs COLD = new Needs(false, null, null, null, 3_600_000L, Needs.Volume.perDay(1_000_000),
            true);

    @TempDir
    Path dir;

    private final AtomicLong clock = new AtomicLong(START);
    private final Random random = new Random(42);
    /** Every acknowledged trade, with its arrival time. */
    private final List<Reference.Trade> acked = new ArrayList<>();
    private final List<Long> arrivals = new ArrayList<>();

    private static TandemConfig config(boolean cold) {
        ViewDef view = TestConfigs.tradesView(60_000);
        return new TandemConfig(EPOCH_MS, Map.of("trades", TestConfigs.TRADES),
                Map.of(view.name(), cold ? view.withNeeds(COLD) : view));
    }

    @Test
    void viewMovedToTheColdPathAndBack_answersExactlyThroughout() {
        TandemOptions options = TandemOptions.defaults(dir).withPartitions(2).withClock(clock::get)
                .withAutomaticBatchRuns(false);
        try (Tandem hot = Tandem.start(config(false), options)) {
            assertThat(hot.plan().decision(WorkloadKind.VIEW, "trades_1m").orElseThrow().path())
                    .isEqualTo(Placement.HOT_AND_COLD);
            ingest(hot, 60);
            clock.addAndGet(5 * EPOCH_MS);
            assertThat(hot.runBatch(false).join().status()).isEqualTo("published");
            // arriving during the change: durable and applied by the hot path, in no batch yet
            ingest(hot, 40);
            assertMerged(hot, acked);
        }

        try (Tandem cold = Tandem.start(config(true), options)) {
            assertThat(cold.plan().decision(WorkloadKind.VIEW, "trades_1m").orElseThrow().rule())
                    .startsWith("cold: no user waiting");
            ingest(cold, 30);
            assertThat(cold.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();
            // no hot state at all: no accumulators, no live rows
            assertThat(cold.status().storeEntries()).isEqualTo(0L);
            assertThatThrownBy(() -> cold.liveViews().filter("trades_1m", Map.of()))
                    .isInstanceOf(QueryException.class).hasMessageContaining("runs on the cold path only");
            // the answer is the batch: exactly the events of the epochs it covers
            assertMerged(cold, coveredBy(cold));
            clock.addAndGet(5 * EPOCH_MS);
            BatchRun run = cold.runBatch(false).join();
            assertThat(run.status()).isEqualTo("published");
            assertThat(run.drift()).as("nothing to reconcile without hot state").doesNotContainKey("trades_1m");
            QueryResult all = assertMerged(cold, acked);
            assertThat(all.rows()).isNotEmpty().allSatisfy(r -> assertThat(r.source()).isEqualTo("batch"));
            // arriving during the change back: in the log, in no batch
            ingest(cold, 25);
            assertMerged(cold, coveredBy(cold));
        }

        try (Tandem back = Tandem.start(config(false), options)) {
            ingest(back, 20);
            // the real-time part is rebuilt from the log: every event counts exactly once again
            assertMerged(back, acked);
            assertThat(back.status().storeEntries()).isPositive();
            clock.addAndGet(5 * EPOCH_MS);
            BatchRun run = back.runBatch(false).join();
            assertThat(run.status()).isEqualTo("published");
            assertThat(run.drift().get("trades_1m").bucketsDiffering()).isZero();
            assertMerged(back, acked);
        }
    }

    private void ingest(Tandem tandem, int n) {
        List<Reference.Trade> trades = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            trades.add(new Reference.Trade(List.of("AAPL", "MSFT", "ZVZZT").get(random.nextInt(3)),
                    1 + random.nextInt(10_000) / 100.0, 1L + random.nextInt(100), "t" + random.nextInt(4),
                    START - 120_000 + random.nextInt(240_000), 0, acked.size() + i));
        }
        String body = trades.stream().map(Reference.Trade::json).collect(Collectors.joining("\n"));
        tandem.ingest("trades", body.getBytes(StandardCharsets.UTF_8), null);
        acked.addAll(trades);
        trades.forEach(t -> arrivals.add(clock.get()));
        clock.addAndGet(700);
    }

    /** The acknowledged trades in the epochs the published batch covers. */
    private List<Reference.Trade> coveredBy(Tandem tandem) {
        List<Reference.Trade> covered = new ArrayList<>();
        for (int i = 0; i < acked.size(); i++) {
            if (!tandem.batchVersion().isEmpty()
                    && tandem.config().epochOf(arrivals.get(i)) <= tandem.batchVersion().boundaryEpoch()) {
                covered.add(acked.get(i));
            }
        }
        return covered;
    }

    private static QueryResult assertMerged(Tandem tandem, List<Reference.Trade> expected) {
        assertThat(tandem.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();
        QueryResult result = tandem.query(new ViewQuery("trades_1m", START - 86_400_000L, START + 86_400_000L,
                60_000, Map.of()));
        MergedViewPropertyTest.assertMatches(result, Reference.tradesView(expected, 60_000, null));
        return result;
    }
}
