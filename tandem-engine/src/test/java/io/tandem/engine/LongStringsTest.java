package io.tandem.engine;

import io.tandem.engine.batchview.BatchRun;
import io.tandem.engine.query.QueryResult;
import io.tandem.engine.query.ViewQuery;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** A dimension value longer than 64 KiB is kept through checkpoints, batch versions and restarts. */
class LongStringsTest {

    private static final long EPOCH_MS = 1_000;
    private static final long T = 1_800_000_000_000L;

    @Test
    void when_aGroupByValueIsLongerThan64KiB_then_checkpointsAndBatchRunsKeepIt(@TempDir Path dir) {
        AtomicLong clock = new AtomicLong(T);
        TandemOptions options = TandemOptions.defaults(dir).withPartitions(1).withClock(clock::get)
                .withAutomaticBatchRuns(false).withCheckpointEveryMs(3_600_000);
        String symbol = "b".repeat(70_000);
        String line = "{\"ts\":" + T + ",\"symbol\":\"" + symbol + "\",\"price\":1.0,\"qty\":5,\"trader\":\"t\"}\n";

        // 1. one trade of a 70,000-character symbol; the batch covers its epoch, which writes a batch version
        //    and checkpoints the hot path
        try (Tandem tandem = Tandem.start(TestConfigs.config(EPOCH_MS), options)) {
            assertThat(tandem.ingest("trades", line.getBytes(StandardCharsets.UTF_8), null).accepted()).isEqualTo(1);
            assertThat(tandem.awaitCaughtUp(Duration.ofSeconds(10))).isTrue();
            clock.addAndGet(5 * EPOCH_MS);
            BatchRun run = tandem.runBatch(false).join();
            assertThat(run.status()).isEqualTo("published");
            assertThat(tandem.coldPath().failed()).isFalse();
        }

        // 2. after a restart the batch version and the checkpoint load, and the merged view still has the trade
        try (Tandem tandem = Tandem.start(TestConfigs.config(EPOCH_MS), options)) {
            QueryResult r = tandem.query(new ViewQuery("trades_1m", T - 60_000, T + 60_000, 0,
                    Map.of("symbol", symbol)));
            assertThat(r.rows()).hasSize(1);
            assertThat(r.rows().get(0).values()[r.measures().indexOf("volume")]).isEqualTo(5L);
            assertThat(r.rows().get(0).source()).isEqualTo("batch");
        }
    }
}
