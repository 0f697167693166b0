package io.tandem.engine;

import io.tandem.core.AlertDef;
import io.tandem.core.TandemConfig;
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

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The storage-faults campaign, flipped bytes: one byte of a log segment or of a checkpoint flips while Tandem is
 * down. The damage is found (at start in the last segment and in a checkpoint, on read in a sealed segment), the
 * damaged range is moved aside next to the file, and the rest is served (and new events are counted) after the
 * restart; new events never take the offsets of events cut, so their alerts fire.
 */
@Tag("slow")
class StorageDamageTest {

    private static final int EVENTS = 50;

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

    private Tandem start() {
        return start(TestConfigs.config(3_600_000));
    }

    private Tandem start(TandemConfig config) {
        return Tandem.start(config, TandemOptions.defaults(dir).withPartitions(1));
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

    private static void flip(Path file, long position) throws IOException {
        byte[] content = Files.readAllBytes(file);
        content[(int) position] ^= 0x10;
        Files.write(file, content);
    }
}
