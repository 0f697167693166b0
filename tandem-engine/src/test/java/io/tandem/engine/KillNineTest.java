package io.tandem.engine;

import io.tandem.engine.query.QueryResult;
import io.tandem.engine.query.ViewQuery;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Invariant 4: {@code kill -9} of a child JVM in the middle of ingest and of batch runs, again and again, loses
 * no acknowledged event and double-counts none; a batch that was never acknowledged is either wholly there or
 * wholly absent.
 */
class KillNineTest {

    @Test
    void when_processIsKilledDuringIngest_then_everyAcknowledgedEventCountsExactlyOnce(@TempDir Path dir)
            throws Exception {
        Set<Long> acked = new HashSet<>();
        Random random = new Random(7);
        long nextBatch = 0;
        for (int round = 0; round < 4; round++) {
            // 1. start a child that ingests batches as fast as it can
            Process child = new ProcessBuilder(javaBin(), "-cp", System.getProperty("java.class.path"),
                    CrashChild.class.getName(), dir.toString(), Long.toString(nextBatch))
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                    StandardCharsets.UTF_8));
            assertThat(out.readLine()).isEqualTo("started");
            // 2. let it acknowledge a random number of batches, then kill -9 it mid-flight
            int wanted = 20 + random.nextInt(200);
            String line;
            int seen = 0;
            while (seen < wanted && (line = out.readLine()) != null) {
                acked.add(Long.parseLong(line.substring(4)));
                seen++;
            }
            child.destroyForcibly().waitFor();
            // 3. the next child numbers its batches after anything the killed one may have started
            nextBatch += 1_000_000;
        }
        assertThat(acked).hasSizeGreaterThan(80);

        // 4. recover in this JVM and count events per batch
        try (Tandem tandem = Tandem.start(TestConfigs.config(1_000), TandemOptions.defaults(dir).withPartitions(2))) {
            assertThat(tandem.awaitCaughtUp(Duration.ofSeconds(60))).isTrue();
            assertThat(tandem.batchVersion().version()).as("batch versions published before the kills").isPositive();
            QueryResult r = tandem.query(new ViewQuery("by_batch", 0, Long.MAX_VALUE / 2, 0, Map.of()));
            Map<Long, Long> counts = new HashMap<>();
            for (QueryResult.Row row : r.rows()) {
                counts.merge((Long) row.dims().get(0), (Long) row.values()[0], Long::sum);
            }
            for (long b : acked) {
                assertThat(counts.get(b)).as("events of acknowledged batch %d", b)
                        .isEqualTo(CrashChild.EVENTS_PER_BATCH);
            }
            for (Map.Entry<Long, Long> e : counts.entrySet()) {
                assertThat(e.getValue()).as("events of batch %d (all or nothing)", e.getKey())
                        .isEqualTo(CrashChild.EVENTS_PER_BATCH);
            }
        }
    }

    private static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
