package io.tandem.engine;

import io.tandem.core.AlertDef;
import io.tandem.core.TandemConfig;
import io.tandem.engine.batchview.BatchRun;
import io.tandem.engine.batchview.ColdPathStatus;
import io.tandem.engine.durable.BlockChecksums;
import io.tandem.engine.query.QueryResult;
import io.tandem.engine.query.ViewQuery;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The storage-faults campaign, flipped bytes: one byte of a log segment, a checkpoint, a batch view file or a lake
 * file flips while Tandem is down. The damage is found (at start in the last log segment, a checkpoint or a batch
 * view file; on read in a sealed segment; by the batch run that reads the lake file), the damaged range is moved
 * aside next to the file, and the rest is served (and new events are counted) after the restart; new events never
 * take the offsets of events cut, so their alerts fire.
 */
@Tag("slow")
class StorageDamageTest {

    private static final int EVENTS = 50;
    private static final long EPOCH_MS = 3_600_000;
    private static final long T = 1_800_000_000_000L;

    @TempDir
    Path dir;

    @Test
    void when_aByteFlipsInTheLastLogSegment_then_theUnitsBeforeItAreServedAndTheRestIsMovedAside() throws Exception {
        // 1. three requests, each one unit of 50 events in the one segment, checkpointed at close
        try (Tandem tandem = start()) {
            for (long batch = 1; batch <= 3; batch++) {
                ingest(tandem, batch);
            }
        }
        Path segment = dir.resolve("log").resolve("trades").resolve("0").resolve("00000000000000000000.log");
        long size = Files.size(segment);
        long unit = size / 3;
        // 2. a byte in the middle of the second request flips (the length of one of its records, as it happens)
        flip(segment, unit + unit / 2);

        // 3. the first request is served; the second and third are kept aside; a new one counts
        try (Tandem tandem = start()) {
            assertThat(tandem.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();
            assertThat(perBatch(tandem)).isEqualTo(Map.of(1L, (long) EVENTS));
            Path aside = segment.resolveSibling(segment.getFileName() + ".damaged-" + unit);
            assertThat(aside).hasSize(size - unit);
            ingest(tandem, 4);
            assertThat(tandem.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();
            assertThat(perBatch(tandem)).isEqualTo(Map.of(1L, (long) EVENTS, 4L, (long) EVENTS));
            System.out.printf("storage faults, flipped byte in a log segment: found at start, bytes %d to %d moved "
                    + "to %s, %s served after the restart%n", unit, size, aside.getFileName(), perBatch(tandem));
        }
    }

    @Test
    void when_aByteFlipsInASealedLogSegment_then_readsGoOnPastItsUnitWhichIsMovedAside() throws Exception {
        // 1. four requests, each one unit of 50 events in the one segment
        long end;
        try (Tandem tandem = start()) {
            for (long batch = 1; batch <= 4; batch++) {
                ingest(tandem, batch);
            }
            end = tandem.log("trades").durableEnd(0);
        }
        Path partition = dir.resolve("log").resolve("trades").resolve("0");
        Path segment = partition.resolve(segmentName(0));
        byte[] bytes = Files.readAllBytes(segment);
        long unit = bytes.length / 4;
        long records = end / 4;
        // 2. the segment is split where the log would have rolled: requests 1 to 3 in a sealed segment, 4 in the last
        Files.write(segment, Arrays.copyOf(bytes, (int) (3 * unit)));
        Files.write(partition.resolve(segmentName(3 * records)), Arrays.copyOfRange(bytes, (int) (3 * unit),
                bytes.length));
        // 3. a byte in the middle of the second request flips (the length of one of its records, as it happens) in
        //    a sealed segment, which recovery does not scan; the checkpoint is lost too, so the hot path reads it
        flip(segment, unit + unit / 2);
        Files.delete(dir.resolve("store").resolve("trades").resolve("0.ckpt"));

        // 4. the read finds the damage: the second request is moved aside, the third gets a segment of its own, and
        //    the hot path (and the lake) go on with the third and the fourth; a new one counts
        try (Tandem tandem = start()) {
            assertThat(tandem.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();
            assertThat(perBatch(tandem)).isEqualTo(Map.of(1L, (long) EVENTS, 3L, (long) EVENTS, 4L, (long) EVENTS));
            Path aside = segment.resolveSibling(segment.getFileName() + ".damaged-" + unit);
            assertThat(aside).hasSize(unit);
            assertThat(segment).hasSize(unit);
            assertThat(partition.resolve(segmentName(2 * records))).hasSize(unit);
            List<String> lost = tandem.status().streams().get("trades").lostOffsets().get(0);
            assertThat(lost).singleElement().asString().startsWith("offsets " + records + " to " + (2 * records - 1)
                    + ": found on read: ").contains(segment + ";", aside.toString());
            ingest(tandem, 5);
            assertThat(tandem.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();
            assertThat(perBatch(tandem)).isEqualTo(Map.of(1L, (long) EVENTS, 3L, (long) EVENTS, 4L, (long) EVENTS,
                    5L, (long) EVENTS));
            System.out.printf("storage faults, flipped byte in a sealed log segment: found on read, bytes %d to %d "
                    + "moved to %s, offsets %d to %d lost, %s served after the restart%n", unit, 2 * unit,
                    aside.getFileName(), records, 2 * records - 1, perBatch(tandem));
        }
    }

    @Test
    void when_aDamagedTailIsCut_then_aNewEventNeverTakesTheOffsetOrTheAlertOfOneCut() throws Exception {
        // 1. three requests; an alert fires on the first event of each (qty 1)
        TandemConfig config = TestConfigs.config(3_600_000).withAlerts(Map.of("first_of_request", new AlertDef(
                "first_of_request", null, "trades", List.of("batch"), AlertDef.Trigger.EVENT, "qty == 1", 0, null)));
        try (Tandem tandem = start(config)) {
            for (long batch = 1; batch <= 3; batch++) {
                ingest(tandem, batch);
            }
            awaitAlertsRecorded(tandem);
            assertThat(alertedBatches(tandem)).containsExactly(1L, 2L, 3L);
        }
        Path segment = dir.resolve("log").resolve("trades").resolve("0").resolve(segmentName(0));
        long unit = Files.size(segment) / 3;
        // 2. a byte in the second request flips: the second and third are cut at start
        flip(segment, unit + unit / 2);

        // 3. the fourth request takes offsets after every one the cut bytes could hold, so its alert fires
        try (Tandem tandem = start(config)) {
            assertThat(tandem.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();
            long keptEnd = tandem.log("trades").durableEnd(0);
            List<String> lost = tandem.status().streams().get("trades").lostOffsets().get(0);
            assertThat(lost).singleElement().asString().startsWith("offsets " + keptEnd + " to ");
            ingest(tandem, 4);
            assertThat(tandem.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();
            awaitAlertsRecorded(tandem);
            assertThat(perBatch(tandem)).isEqualTo(Map.of(1L, (long) EVENTS, 4L, (long) EVENTS));
            assertThat(alertedBatches(tandem)).containsExactly(1L, 2L, 3L, 4L);
            // past every offset given before the cut (the three requests took three units' worth)
            long first4 = tandem.log("trades").durableEnd(0) - EVENTS;
            assertThat(first4).isGreaterThanOrEqualTo(3 * keptEnd);
            System.out.printf("storage faults, new events after a cut tail: %s, numbered from offset %d instead of "
                    + "%d, alerts fired for batches %s%n", lost.get(0).substring(0, lost.get(0).indexOf(':')), first4,
                    keptEnd, alertedBatches(tandem));
        }
    }

    @Test
    void when_aByteFlipsInACheckpoint_then_itIsMovedAsideAndThePartitionIsRebuiltFromTheLog() throws Exception {
        try (Tandem tandem = start()) {
            for (long batch = 1; batch <= 3; batch++) {
                ingest(tandem, batch);
            }
        }
        Path checkpoint = dir.resolve("store").resolve("trades").resolve("0.ckpt");
        long size = Files.size(checkpoint);
        flip(checkpoint, size / 2);

        try (Tandem tandem = start()) {
            assertThat(tandem.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();
            Map<Long, Long> expected = Map.of(1L, (long) EVENTS, 2L, (long) EVENTS, 3L, (long) EVENTS);
            assertThat(perBatch(tandem)).isEqualTo(expected);
            assertThat(checkpoint.resolveSibling("0.ckpt.damaged")).hasSize(size);
            System.out.printf("storage faults, flipped byte in a checkpoint: found at start (CRC), moved to "
                    + "0.ckpt.damaged, partition rebuilt from the log, %s served%n", perBatch(tandem));
        }
    }

    @Test
    void when_aByteFlipsInABatchViewFile_then_itIsMovedAsideAndWrittenAgain_andAFullRecomputeReplacesTheVersion()
            throws Exception {
        // 1. three requests, covered by batch version 1
        AtomicLong clock = new AtomicLong(T);
        try (Tandem tandem = start(clock)) {
            for (long batch = 1; batch <= 3; batch++) {
                ingest(tandem, batch);
            }
            assertThat(tandem.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();
            clock.addAndGet(2 * EPOCH_MS);
            assertThat(tandem.runBatch(false).join().status()).isEqualTo("published");
        }
        // 2. a byte in the middle of the Parquet file of by_batch flips (the file its SQL table reads)
        Path parquet = parquetFiles(dir.resolve("batch").resolve("v1").resolve("by_batch")).get(0);
        long size = Files.size(parquet);
        flip(parquet, size / 2);
        byte[] damaged = Files.readAllBytes(parquet);

        // 3. Tandem starts: the file is named, moved aside and written again from its range's accumulators, the
        //    merged view and the SQL table answer every event, and the next run is a full recompute
        Map<Long, Long> expected = Map.of(1L, (long) EVENTS, 2L, (long) EVENTS, 3L, (long) EVENTS);
        Path aside = parquet.resolveSibling(parquet.getFileName() + ".damaged");
        String error;
        BatchRun recompute;
        try (Tandem tandem = start(clock)) {
            ColdPathStatus status = tandem.coldPath();
            assertThat(status.failed()).isTrue();
            assertThat(status.stage()).isEqualTo("batch views");
            error = status.error();
            assertThat(error).contains(parquet.toString(), "bytes 0 to " + (size - 1), aside.getFileName().toString());
            assertThat(aside).hasBinaryContent(damaged);
            assertThat(parquet).exists();
            assertThat(perBatch(tandem)).isEqualTo(expected);
            assertThat(sqlPerBatch(tandem)).isEqualTo(expected);
            recompute = tandem.runBatch(false).join();
            assertThat(recompute.status()).isEqualTo("published");
            assertThat(recompute.full()).isTrue();
            assertThat(tandem.coldPath().failed()).isFalse();
            assertThat(perBatch(tandem)).isEqualTo(expected);
            assertThat(sqlPerBatch(tandem)).isEqualTo(expected);
        }

        // 4. the recompute's version loads intact
        try (Tandem tandem = start(clock)) {
            assertThat(tandem.batchVersion().version()).isEqualTo(recompute.version());
            assertThat(tandem.coldPath().failed()).isFalse();
            assertThat(perBatch(tandem)).isEqualTo(expected);
            assertThat(sqlPerBatch(tandem)).isEqualTo(expected);
            Path folder = dir.resolve("batch").resolve("v" + recompute.version()).resolve("by_batch");
            try (Stream<Path> files = Files.list(folder)) {
                assertThat(files.map(f -> f.getFileName().toString())).noneMatch(f -> f.endsWith(".damaged"));
            }
            System.out.printf("storage faults, flipped byte in a batch view file: found at start (%s), moved to %s "
                    + "and written again from its range's accumulators, %s served at once (merged view and SQL), "
                    + "full recompute published version %d%n", error.substring(error.indexOf("bytes 0"),
                    error.indexOf(" do not match")), aside.getFileName(), perBatch(tandem), recompute.version());
        }
    }

    @Test
    void when_aByteFlipsInALakeFile_then_theNextRunFindsItAndWritesItAgainFromTheLog() throws Exception {
        // 1. three requests in one epoch, sealed into one lake file and covered by a batch run
        AtomicLong clock = new AtomicLong(1_800_000_000_000L);
        TandemOptions options = TandemOptions.defaults(dir).withPartitions(1).withClock(clock::get)
                .withAutomaticBatchRuns(false);
        TandemConfig config = TestConfigs.config(1_000);
        try (Tandem tandem = Tandem.start(config, options)) {
            for (long batch = 1; batch <= 3; batch++) {
                ingest(tandem, batch);
            }
            assertThat(tandem.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();
            clock.addAndGet(5_000);
            assertThat(tandem.runBatch(false).join().status()).isEqualTo("published");
        }
        Path file;
        try (Stream<Path> all = Files.walk(dir.resolve("lake").resolve("trades"))) {
            file = all.filter(f -> f.getFileName().toString().equals("part-0.parquet")).findFirst().orElseThrow();
        }
        long size = Files.size(file);
        // 2. a byte in the middle of the file flips
        flip(file, size / 2);

        // 3. a full recompute finds it, keeps it aside, writes it again from the log and publishes the right sums
        try (Tandem tandem = Tandem.start(config, options)) {
            assertThat(tandem.runBatch(true).join().status()).isEqualTo("published");
            Map<Long, Long> expected = Map.of(1L, (long) EVENTS, 2L, (long) EVENTS, 3L, (long) EVENTS);
            assertThat(perBatch(tandem)).isEqualTo(expected);
            assertThat(file.resolveSibling("part-0.parquet.damaged")).hasSize(size);
            System.out.printf("storage faults, flipped byte in a lake file: found by the next full recompute "
                    + "(CRC-32C of bytes 0 to %d), kept aside as part-0.parquet.damaged, written again from the log, "
                    + "%s published%n", Math.min(size, BlockChecksums.BLOCK) - 1, perBatch(tandem));
        }
    }

    private Tandem start() {
        return start(TestConfigs.config(EPOCH_MS));
    }

    private Tandem start(TandemConfig config) {
        return Tandem.start(config, TandemOptions.defaults(dir).withPartitions(1));
    }

    /** On {@code clock}, with batch runs only when asked for. */
    private Tandem start(AtomicLong clock) {
        return Tandem.start(TestConfigs.config(EPOCH_MS), TandemOptions.defaults(dir).withPartitions(1)
                .withClock(clock::get).withAutomaticBatchRuns(false));
    }

    private static List<Path> parquetFiles(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".parquet")).sorted().toList();
        }
    }

    private static String segmentName(long base) {
        return String.format("%020d.log", base);
    }

    private static void awaitAlertsRecorded(Tandem tandem) throws InterruptedException {
        assertThat(tandem.alerts().awaitRecorded("trades", 0, tandem.log("trades").durableEnd(0),
                Duration.ofSeconds(30))).isTrue();
    }

    /** The batch of each alert fired, oldest first. */
    private static List<Long> alertedBatches(Tandem tandem) {
        return tandem.alerts().history(0, Long.MAX_VALUE, "first_of_request", 100).stream()
                .map(a -> (Long) a.values().get("batch")).toList();
    }

    private static void ingest(Tandem tandem, long batch) {
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < EVENTS; i++) {
            body.append("{\"symbol\":\"S").append(i % 7).append("\",\"price\":").append(10 + i).append(",\"qty\":")
                    .append(i + 1).append(",\"trader\":\"t\",\"batch\":").append(batch).append(",\"ts\":")
                    .append(tandem.now()).append("}\n");
        }
        assertThat(tandem.ingest("trades", body.toString().getBytes(StandardCharsets.UTF_8), null).accepted())
                .isEqualTo(EVENTS);
    }

    private static Map<Long, Long> perBatch(Tandem tandem) {
        Map<Long, Long> counts = new TreeMap<>();
        for (QueryResult.Row row : tandem.query(new ViewQuery("by_batch", 0, Long.MAX_VALUE / 2, 0, Map.of()))
                .rows()) {
            counts.merge((Long) row.dims().get(0), ((Number) row.values()[0]).longValue(), Long::sum);
        }
        return counts;
    }

    /** The events per batch in the SQL table of by_batch, which reads its Parquet files. */
    private static Map<Long, Long> sqlPerBatch(Tandem tandem) {
        Map<Long, Long> counts = new TreeMap<>();
        for (List<Object> row : tandem.sql().query("SELECT batch, sum(n) FROM by_batch GROUP BY batch").rows()) {
            counts.put(((Number) row.get(0)).longValue(), ((Number) row.get(1)).longValue());
        }
        return counts;
    }

    private static void flip(Path file, long position) throws IOException {
        byte[] content = Files.readAllBytes(file);
        content[(int) position] ^= 0x10;
        Files.write(file, content);
    }
}
