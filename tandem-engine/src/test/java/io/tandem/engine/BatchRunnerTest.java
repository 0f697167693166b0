package io.tandem.engine;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tandem.core.GroupKey;
import io.tandem.core.TandemConfig;
import io.tandem.core.codec.RowCodec;
import io.tandem.engine.batch.DuckDbBatchEngine;
import io.tandem.engine.batchview.BatchRun;
import io.tandem.engine.batchview.BatchRunner;
import io.tandem.engine.batchview.ParquetBatchViewStore;
import io.tandem.engine.batchview.ColdPathStatus;
import io.tandem.engine.duckdb.DuckDb;
import io.tandem.engine.lake.ParquetLake;
import io.tandem.engine.log.FileEventLog;
import io.tandem.engine.store.InMemoryRealtimeStore;
import io.tandem.spi.batch.BatchEngine;
import io.tandem.spi.log.EventLog;
import io.tandem.spi.view.Catalog;
import io.tandem.spi.view.CompiledView;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;
import static org.assertj.core.api.Assertions.tuple;

/**
 * The batch runner driven tick by tick from the test, with real parts: a run held inside the batch engine shows
 * what a tick does meanwhile; a plain file where the lake's epoch folder must go makes sealing fail.
 */
class BatchRunnerTest {

    private static final long EPOCH_MS = 1_000;
    private static final long T = 1_800_000_000_000L;

    @TempDir
    Path dir;
    final AtomicLong clock = new AtomicLong(T);
    final TandemConfig config = TestConfigs.config(EPOCH_MS);
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    final CountDownLatch inEngine = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    volatile boolean holdInEngine;
    FileEventLog log;
    InMemoryRealtimeStore store;
    ParquetLake lake;
    BatchRunner runner;

    @BeforeEach
    void open() throws IOException {
        Catalog catalog = new Catalog(config);
        log = FileEventLog.open(dir.resolve("log/trades"), 1, EPOCH_MS, clock::get,
                FileEventLog.Options.defaults());
        Map<String, EventLog> logs = Map.of("trades", log);
        store = new InMemoryRealtimeStore(catalog, dir.resolve("store"));
        DuckDb limits = new DuckDb(config.duckdb(), dir.resolve("tmp"));
        lake = new ParquetLake(dir.resolve("lake"), config, logs, clock::get, limits);
        BatchEngine duckDb = new DuckDbBatchEngine(limits);
        BatchEngine held = new BatchEngine() {
            @Override
            public void aggregate(CompiledView view, List<Path> files, boolean byEpoch, Visitor visitor)
                    throws IOException {
                if (holdInEngine) {
                    inEngine.countDown();
                    await(release);
                }
                duckDb.aggregate(view, files, byEpoch, visitor);
            }

            @Override
            public void close() throws IOException {
                duckDb.close();
            }
        };
        runner = new BatchRunner(catalog, lake, held, new ParquetBatchViewStore(dir.resolve("batch"), catalog, limits),
                dir.resolve("batch").resolve("runs.jsonl"), store, logs, clock::get, true, BatchRunner.Mode.OWN, meters,
                v -> { });
    }

    @AfterEach
    void close() {
        release.countDown();
        runner.close();
        lake.close();
        store.close();
        log.close();
    }

    /** One trade in the current epoch, durable, and marked as applied by the hot path (which is not running). */
    private void trade(long qty) throws Exception {
        trade(T, qty);
    }

    /** As {@link #trade(long)}, of event time {@code eventTime}. */
    private void trade(long eventTime, long qty) throws Exception {
        byte[] payload = new RowCodec(TestConfigs.TRADES).builder().reset(eventTime).setString(0, "AAPL")
                .setDouble(1, 1.0)
                .setLong(2, qty).setString(3, "t").setLong(4, 1).encode();
        long offset = log.append(0, null, List.of(payload)).get(30, TimeUnit.SECONDS);
        store.commit("trades", 0, offset + 1, Map.of(), List.of());
    }

    private static void await(CountDownLatch latch) {
        try {
            assertThat(latch.await(60, TimeUnit.SECONDS)).isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Test
    void when_aRunAddsToOneBucketRangeOnly_then_itKeepsTheOtherRangesFiles_andTheVersionReadsAsTheTradesSay()
            throws Exception {
        long day = 86_400_000L;
        // 1. trades ten days apart: two day ranges of trades_1m
        trade(T - 10 * day, 1);
        trade(T, 2);
        clock.addAndGet(5 * EPOCH_MS);
        assertThat(runner.submit(false).join().status()).isEqualTo("published");

        // 2. one more trade on the newer day: version 2 links the older day's file of version 1, rewrites the other
        trade(T + 60_000, 3);
        clock.addAndGet(5 * EPOCH_MS);
        assertThat(runner.submit(false).join().version()).isEqualTo(2);
        String older = "r" + Math.floorDiv(T - 10 * day, day) + ".bin";
        String newer = "r" + Math.floorDiv(T, day) + ".bin";
        assertThat(fileKey(2, older)).isNotNull().isEqualTo(fileKey(1, older));
        assertThat(fileKey(2, newer)).isNotEqualTo(fileKey(1, newer));

        // 3. the current version, read from its files, holds each trade's volume in its minute
        CompiledView view = new Catalog(config).view("trades_1m");
        Map<Long, Object> volumes = new TreeMap<>();
        runner.current().buckets("trades_1m", Long.MIN_VALUE, Long.MAX_VALUE).forEach((bucket, rows) ->
                volumes.put(bucket, view.results(rows.get(GroupKey.of("AAPL")))[1]));
        long minute = Math.floorDiv(T, 60_000) * 60_000;
        assertThat(volumes).containsExactly(entry(minute - 10 * day, 1L), entry(minute, 2L),
                entry(minute + 60_000, 3L));
    }

    private Object fileKey(long version, String range) throws IOException {
        return Files.readAttributes(dir.resolve("batch/v" + version + "/trades_1m/" + range),
                BasicFileAttributes.class).fileKey();
    }

    @Test
    void when_closedWhileARunIsInFlight_then_theRunFinishesTheOneQueuedBehindDoesNotStart_andNothingFails()
            throws Exception {
        trade(1);
        clock.addAndGet(5 * EPOCH_MS);
        holdInEngine = true;
        CompletableFuture<BatchRun> running = runner.submit(false);
        await(inEngine);
        CompletableFuture<BatchRun> queued = runner.submit(true);

        Thread closer = new Thread(runner::close, "closer");
        closer.start();
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                .until(() -> closer.getState() == Thread.State.TIMED_WAITING);
        holdInEngine = false;
        release.countDown();
        closer.join();

        assertThat(running.join().status()).isEqualTo("published");
        assertThat(queued).isCompletedExceptionally();
        assertThat(meters.find("tandem.batch.failures").counters()).allSatisfy(c -> assertThat(c.count()).isZero());
        assertThat(runner.runs()).extracting(BatchRun::status).containsExactly("published");
    }

    @Test
    void when_ticksComeWhileARunIsInFlight_then_noAutomaticRunIsQueuedAndNothingButThatRunIsRecorded()
            throws Exception {
        // 1. an epoch ends; a run asked for by hand is held inside the batch engine, before it publishes
        trade(1);
        clock.addAndGet(5 * EPOCH_MS);
        holdInEngine = true;
        CompletableFuture<BatchRun> manual = runner.submit(false);
        await(inEngine);

        // 2. ticks meanwhile see the old version, with newly sealed epochs: they must not queue a run
        runner.tick();
        runner.tick();
        holdInEngine = false;
        release.countDown();
        assertThat(manual.join().status()).isEqualTo("published");
        runner.tick();

        // 3. a full run queues behind anything the ticks queued; the list holds the two runs asked for, only
        assertThat(runner.submit(true).join().status()).isEqualTo("published");
        assertThat(runner.runs()).extracting(BatchRun::version, BatchRun::status, BatchRun::full)
                .containsExactly(tuple(2L, "published", true),
                        tuple(1L, "published", false));
    }

    @Test
    void when_sealingFails_then_ticksRetryWithBackoff_theStatusSaysWhy_andARunAskedForRetriesAtOnce()
            throws Exception {
        // 1. a trade, and a plain file where its epoch's folder must go
        trade(1);
        Path blocker = dir.resolve("lake/trades/epoch=" + T / EPOCH_MS);
        Files.writeString(blocker, "in the way");
        clock.addAndGet(5 * EPOCH_MS);

        // 2. ticks in a row: the first attempt fails, the next ones wait for the backoff (1 s, then 2 s, ...)
        for (int i = 0; i < 5; i++) {
            runner.tick();
        }
        double attempts = meters.get("tandem.batch.failures").tag("stage", "sealing").counter().count();
        assertThat(attempts).isBetween(1.0, 3.0);
        ColdPathStatus status = runner.status();
        assertThat(status.status()).isEqualTo("failed");
        assertThat(status.stage()).isEqualTo("sealing");
        assertThat(status.error()).startsWith("lake of stream 'trades': no epoch sealed yet, the next one fails: ")
                .contains(blocker.toString());
        assertThat(status.attempts()).isEqualTo((int) attempts);
        assertThat(status.sinceMs()).isEqualTo(clock.get());
        assertThat(status.retryInMs()).isBetween(0L, 60_000L);
        // no automatic run starts while sealing fails, so none is recorded
        assertThat(runner.runs()).isEmpty();
        assertThat(meters.get("tandem.batch.failures").tag("stage", "run").counter().count()).isZero();

        // 3. a run asked for tries at once and reports the failure
        BatchRun failed = runner.submit(false).join();
        assertThat(failed.status()).isEqualTo("failed");
        assertThat(failed.note()).isEqualTo("sealing failed: " + runner.status().error());

        // 4. fixed: the next run asked for seals and publishes, and the status is ok again
        Files.delete(blocker);
        BatchRun published = runner.submit(false).join();
        assertThat(published.status()).isEqualTo("published");
        assertThat(published.rows()).isEqualTo(1);
        assertThat(runner.status()).isEqualTo(ColdPathStatus.OK);
        assertThat(runner.runs()).extracting(BatchRun::status).containsExactly("published", "failed");
        assertThat(meters.get("tandem.batch.run.duration").tag("status", "published").timer().count())
                .isEqualTo(1);
        assertThat(meters.get("tandem.batch.run.duration").tag("status", "failed").timer().count())
                .isEqualTo(1);
    }
}
