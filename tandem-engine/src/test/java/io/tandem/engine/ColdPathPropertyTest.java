package io.tandem.engine;

import io.tandem.engine.batchview.BatchRun;
import io.tandem.spi.batch.BatchVersion;
import io.tandem.engine.lake.ParquetLake;
import io.tandem.engine.query.QueryResult;
import io.tandem.engine.query.ViewQuery;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Invariants 1 to 3 with both paths running: random ingests whose event times cross the batch boundary in both
 * directions, batch runs and full recomputes at random points, restarts — and after each step that lets the
 * paths settle, the merged view equals the plain reference over every acknowledged event.
 */
class ColdPathPropertyTest {

    private static final long EPOCH_MS = 1_000;
    private static final long START = 1_800_000_000_000L;

    /** One step of a scenario. */
    sealed interface Step permits Ingest, Advance, Batch, Restart {
    }

    record Ingest(List<Reference.Trade> trades) implements Step {
    }

    record Advance(long ms) implements Step {
    }

    record Batch(boolean full) implements Step {
    }

    record Restart() implements Step {
    }

    @Property(tries = 8)
    void mergedViewEqualsReference_acrossBatchRunsAndRestarts(@ForAll("scenarios") List<Step> steps)
            throws IOException {
        Path dir = Files.createTempDirectory("tandem-cold");
        AtomicLong clock = new AtomicLong(START);
        // batch runs happen exactly where the scenario says: no automatic run competes with them
        TandemOptions options = TandemOptions.defaults(dir).withPartitions(2).withClock(clock::get)
                .withAutomaticBatchRuns(false);
        List<Reference.Trade> acked = new ArrayList<>();
        Tandem tandem = Tandem.start(TestConfigs.config(EPOCH_MS), options);
        try {
            for (Step step : steps) {
                if (step instanceof Ingest in) {
                    // 1. a request; its events are acknowledged once durable
                    String body = in.trades().stream().map(Reference.Trade::json).collect(Collectors.joining("\n"));
                    tandem.ingest("trades", body.getBytes(StandardCharsets.UTF_8), null);
                    for (Reference.Trade t : in.trades()) {
                        acked.add(new Reference.Trade(t.symbol(), t.price(), t.qty(), t.trader(), t.ts(), 0,
                                clock.get() * 1_000_000 + acked.size()));
                    }
                    clock.addAndGet(1);
                } else if (step instanceof Advance a) {
                    // 2. arrival time moves on: epochs end and the lake seals them
                    clock.addAndGet(a.ms());
                } else if (step instanceof Batch b) {
                    // 3. a batch run, incremental or full; the merged view must not change its answer
                    BatchVersion before = tandem.batchVersion();
                    BatchRun run = tandem.runBatch(b.full()).join();
                    assertThat(run.status()).isEqualTo(expectedStatus(tandem, before, b.full(), run, clock.get()));
                    assertMerged(tandem, acked);
                } else {
                    // 4. a clean restart: checkpoint, published version and lake are read back
                    tandem.close();
                    tandem = Tandem.start(TestConfigs.config(EPOCH_MS), options);
                }
            }
            // 5. let every epoch seal, cover it all by batch, then compare once more
            clock.addAndGet(5 * EPOCH_MS);
            BatchVersion before = tandem.batchVersion();
            BatchRun last = tandem.runBatch(false).join();
            assertThat(last.status()).isEqualTo(expectedStatus(tandem, before, false, last, clock.get()));
            assertMerged(tandem, acked);
            assertThat(tandem.batchVersion().isEmpty()).isFalse();
            // invariant 2: exact measures show no drift between the paths in normal operation
            for (BatchRun run : tandem.batchRuns()) {
                run.drift().forEach((view, d) -> assertThat(d.bucketsDiffering()).as("%s in run %d: %s", view,
                        run.version(), d.samples()).isZero());
            }
        } finally {
            tandem.close();
        }
    }

    /**
     * What a run must answer. Every epoch that ended at least the lake's grace ago is sealed, and the open epoch is
     * not; so a run publishes when it is full, when nothing was published before, or when the epochs sealed
     * by then reach past the previous boundary. Between those two bounds (the last epoch ended less than the grace
     * ago) sealing also depends on later records in every partition, and the run's boundary says which happened.
     */
    private static String expectedStatus(Tandem tandem, BatchVersion before, boolean full, BatchRun run, long now) {
        long surelySealed = tandem.config().epochOf(now - ParquetLake.GRACE_MS) - 1;
        long openEpoch = tandem.config().epochOf(now);
        if (run.status().equals("published")) {
            assertThat(run.boundaryEpoch()).isBetween(surelySealed, openEpoch - 1);
            assertThat(run.version()).isEqualTo(before.version() + 1);
        }
        if (full || before.isEmpty() || surelySealed > before.boundaryEpoch()) {
            return "published";
        }
        if (openEpoch - 1 <= before.boundaryEpoch()) {
            return "up to date";
        }
        return run.boundaryEpoch() > before.boundaryEpoch() ? "published" : "up to date";
    }

    private static void assertMerged(Tandem tandem, List<Reference.Trade> acked) {
        assertThat(tandem.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();
        // rolled up first: merging several published buckets into one row must leave the published ones as they are
        for (long g : new long[] {300_000, 60_000}) {
            QueryResult result = tandem.query(new ViewQuery("trades_1m", START - 86_400_000L, START + 86_400_000L,
                    g, Map.of()));
            MergedViewPropertyTest.assertMatches(result, Reference.tradesView(acked, g, null));
        }
    }

    @Provide
    Arbitrary<List<Step>> scenarios() {
        Arbitrary<String> symbols = Arbitraries.of("AAPL", "MSFT", "ZVZZT");
        Arbitrary<Double> prices = Arbitraries.integers().between(1, 100_000).map(c -> c / 100.0);
        Arbitrary<Long> qtys = Arbitraries.longs().between(1, 100).injectNull(0.1);
        Arbitrary<String> traders = Arbitraries.of("t1", "t2", "t3");
        // event times within a few minutes of the start, whatever the arrival time: late events cross the boundary
        Arbitrary<Long> times = Arbitraries.longs().between(START - 180_000, START + 180_000);
        Arbitrary<Reference.Trade> trade = Combinators.combine(symbols, prices, qtys, traders, times)
                .as((s, p, q, t, ts) -> new Reference.Trade(s, p, q, t, ts, 0, 0));
        Arbitrary<Step> ingest = trade.list().ofMinSize(1).ofMaxSize(40).map(Ingest::new);
        Arbitrary<Step> advance = Arbitraries.longs().between(0, 2_500).map(Advance::new);
        Arbitrary<Step> batch = Arbitraries.of(false, false, true).map(Batch::new);
        Arbitrary<Step> restart = Arbitraries.just(new Restart());
        return Arbitraries.frequencyOf(
                Tuple.of(6, ingest), Tuple.of(4, advance),
                Tuple.of(2, batch), Tuple.of(1, restart))
                .list().ofMinSize(4).ofMaxSize(18);
    }
}
