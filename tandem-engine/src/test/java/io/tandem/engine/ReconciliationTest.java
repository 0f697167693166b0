package io.tandem.engine;

import io.tandem.core.codec.JsonEvents;
import io.tandem.core.codec.RowCodec;
import io.tandem.engine.batchview.BatchRun;
import io.tandem.engine.log.FileEventLog;
import io.tandem.engine.batchview.ViewDrift;
import io.tandem.engine.query.QueryResult;
import io.tandem.engine.query.ViewQuery;
import io.tandem.engine.store.InMemoryRealtimeStore;
import io.tandem.spi.log.EventLog;
import io.tandem.spi.view.Catalog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** Invariant 2: a hot path that skipped an event is caught by reconciliation, and the batch view wins. */
class ReconciliationTest {

    private static final long EPOCH_MS = 1_000;
    private static final long T = 1_800_000_000_000L;

    @Test
    void when_theHotPathSkipsAnEvent_then_driftIsReported_andTheBatchViewCorrectsIt(@TempDir Path dir)
            throws IOException {
        AtomicLong clock = new AtomicLong(T);
        TandemOptions options = TandemOptions.defaults(dir).withPartitions(1).withClock(clock::get)
                .withAutomaticBatchRuns(false);

        // 1. three trades of one symbol in one minute, applied by the hot path
        try (Tandem tandem = Tandem.start(TestConfigs.config(EPOCH_MS), options)) {
            ingest(tandem, 1, 2, 3);
            assertThat(tandem.awaitCaughtUp(Duration.ofSeconds(10))).isTrue();
        }

        // 2. the fault: a trade reaches the log, and the hot path's state moves past it without applying it
        Catalog catalog = new Catalog(TestConfigs.config(EPOCH_MS));
        try (EventLog log = FileEventLog.open(dir.resolve("log").resolve("trades"), 1, EPOCH_MS, clock::get,
                FileEventLog.Options.defaults());
             InMemoryRealtimeStore store = new InMemoryRealtimeStore(catalog, dir.resolve("store"))) {
            JsonEvents.Result skipped = new JsonEvents(TestConfigs.TRADES).parse(body(10), clock.get());
            log.append(0, null, skipped.accepted()).join();
            long next = store.committedOffset("trades", 0);
            store.commit("trades", 0, next + 1, Map.of(), List.of());
        }

        try (Tandem tandem = Tandem.start(TestConfigs.config(EPOCH_MS), options)) {
            // 3. one more trade, after the one the hot path skipped
            ingest(tandem, 20);
            assertThat(tandem.awaitCaughtUp(Duration.ofSeconds(10))).isTrue();
            assertThat(volume(tandem)).isEqualTo(6 + 20);

            // 4. the batch covers the epoch: drift is reported with both values, and the merged view is right
            clock.addAndGet(5 * EPOCH_MS);
            BatchRun run = tandem.runBatch(false).join();
            assertThat(run.status()).isEqualTo("published");
            ViewDrift drift = run.drift().get("trades_1m");
            assertThat(drift.bucketsDiffering()).isEqualTo(1);
            assertThat(drift.maxRelativeDifference()).isGreaterThan(0);
            ViewDrift.Sample sample = drift.samples().get(0);
            assertThat(sample.dims()).containsEntry("symbol", "AAPL");
            assertThat(sample.hot()).containsEntry("volume", 26L);
            assertThat(sample.batch()).containsEntry("volume", 36L);
            assertThat(volume(tandem)).isEqualTo(6 + 10 + 20);
        }
    }

    @Test
    void when_quantileSketchesAreMergedInAnotherOrder_then_aHealthyRunReportsNoDrift(@TempDir Path dir) {
        AtomicLong clock = new AtomicLong(T);
        TandemOptions options = TandemOptions.defaults(dir).withPartitions(4).withClock(clock::get)
                .withAutomaticBatchRuns(false);
        try (Tandem tandem = Tandem.start(TestConfigs.config(EPOCH_MS), options)) {
            // 1. 40,000 trades of 20 symbols in two minutes, heavy-tailed quantities (1 to 22,026), 80 requests
            //    spread over 4 partitions: the hot path merges each group's KLL sketches partition by partition,
            //    the batch feeds them in the lake's order, and both compact (k = 200, ~1,000 values per group)
            Random random = new Random(7);
            long events = 0;
            for (int request = 0; request < 80; request++) {
                StringBuilder body = new StringBuilder();
                for (int i = 0; i < 500; i++) {
                    long qty = Math.round(Math.exp(random.nextDouble() * 10));
                    body.append("{\"symbol\":\"S").append(random.nextInt(20)).append("\",\"price\":")
                            .append(1 + random.nextInt(1000) / 100.0).append(",\"qty\":").append(qty)
                            .append(",\"trader\":\"t").append(random.nextInt(500)).append("\",\"batch\":")
                            .append(request).append(",\"ts\":").append(T + random.nextInt(120_000)).append("}\n");
                    events++;
                }
                tandem.ingest("trades", body.toString().getBytes(StandardCharsets.UTF_8), null);
            }
            assertThat(tandem.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();

            // 2. the batch covers the epoch: every group compared, none differing, each lake row read once
            clock.addAndGet(5 * EPOCH_MS);
            BatchRun run = tandem.runBatch(false).join();
            assertThat(run.status()).isEqualTo("published");
            ViewDrift drift = run.drift().get("trades_1m");
            assertThat(drift.bucketsCompared()).isGreaterThanOrEqualTo(40);
            assertThat(drift.bucketsDiffering()).as("%s", drift.samples()).isZero();
            assertThat(drift.maxRelativeDifference()).isLessThan(0.05);
            assertThat(run.rows()).isEqualTo(events);
        }
    }

    @Test
    void when_anEventHasATimeTheLakeCannotWrite_then_theColdPathGoesOn_andReconciliationShowsTheEvent(
            @TempDir Path dir) throws Exception {
        AtomicLong clock = new AtomicLong(T);
        TandemOptions options = TandemOptions.defaults(dir).withPartitions(1).withClock(clock::get)
                .withAutomaticBatchRuns(false);
        try (Tandem tandem = Tandem.start(TestConfigs.config(EPOCH_MS), options)) {
            // 1. a trade, then one dated Long.MAX_VALUE ms appended straight to the log (past any ingest check)
            ingest(tandem, 5);
            byte[] far = new RowCodec(TestConfigs.TRADES).builder().reset(Long.MAX_VALUE).setString(0, "FAR")
                    .setDouble(1, 1.0).setLong(2, 7).setString(3, "t").setLong(4, 2).encode();
            tandem.log("trades").append(0, null, List.of(far)).get(30, TimeUnit.SECONDS);
            assertThat(tandem.awaitCaughtUp(Duration.ofSeconds(10))).isTrue();

            // 2. the epoch seals without it and the run publishes; the cold path stays ok
            clock.addAndGet(5 * EPOCH_MS);
            BatchRun run = tandem.runBatch(false).join();
            assertThat(run.status()).isEqualTo("published");
            assertThat(run.rows()).isEqualTo(1);
            assertThat(tandem.coldPath().status()).isEqualTo("ok");
            assertThat(volume(tandem)).isEqualTo(5);

            // 3. the hot path counted the far event, the lake could not hold it: reconciliation names its group
            ViewDrift drift = run.drift().get("trades_1m");
            assertThat(drift.bucketsDiffering()).isEqualTo(1);
            assertThat(drift.samples().get(0).dims()).containsEntry("symbol", "FAR");
            assertThat(drift.samples().get(0).batch()).containsEntry("trades", 0L);
        }
    }

    private static byte[] body(long... quantities) {
        StringBuilder body = new StringBuilder();
        for (long q : quantities) {
            body.append("{\"symbol\":\"AAPL\",\"price\":10,\"qty\":").append(q).append(",\"trader\":\"t\",\"batch\":1,")
                    .append("\"ts\":").append(T).append("}\n");
        }
        return body.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void ingest(Tandem tandem, long... quantities) {
        tandem.ingest("trades", body(quantities), null);
    }

    private static long volume(Tandem tandem) {
        QueryResult r = tandem.query(new ViewQuery("trades_1m", T - 60_000, T + 60_000, 0, Map.of()));
        return r.rows().stream().mapToLong(row -> (Long) row.values()[r.measures().indexOf("volume")]).sum();
    }
}
