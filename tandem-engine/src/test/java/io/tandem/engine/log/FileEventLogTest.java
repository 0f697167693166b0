package io.tandem.engine.log;

import io.tandem.engine.durable.StorageFullException;
import io.tandem.spi.log.EventLog;
import io.tandem.spi.testkit.EventLogContract;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

/** {@link FileEventLog}: the {@link EventLogContract} plus recovery, segments, the golden file and failures. */
class FileEventLogTest extends EventLogContract {

    private static final String GOLDEN = "/golden/log/00000000000000000000.log";

    @TempDir
    Path dir;

    private FileEventLog.Options options = FileEventLog.Options.defaults();
    private ChannelOpener opener = ChannelOpener.DEFAULT;

    @Override
    protected EventLog open(int partitions, LongSupplier clockMs) throws IOException {
        return FileEventLog.open(dir, partitions, EPOCH_MS, clockMs, options, opener);
    }

    @Override
    protected EventLog reopen(int partitions, LongSupplier clockMs) throws IOException {
        return FileEventLog.open(dir, partitions, EPOCH_MS, clockMs, options, opener);
    }

    private Path segment(long base) {
        return dir.resolve("0").resolve(Segment.fileName(base));
    }

    private static int recordBytes(String payload) {
        return RecordFormat.HEADER + payload.length();
    }

    // ---------------------------------------------------------------- recovery

    @Test
    void when_garbageFollowsTheLastRecord_then_reopenDropsOnlyTheGarbage() throws Exception {
        // Given a log with three acknowledged units
        EventLog log = track(open(1, () -> 0));
        await(log.append(0, null, List.of(bytes("a"))));
        await(log.append(0, null, List.of(bytes("b1"), bytes("b2"))));
        await(log.append(0, null, List.of(bytes("c"))));
        List<Rec> acknowledged = readAll(log, 0, 0);
        log.close();
        long size = Files.size(segment(0));
        // When a crash left zeros and junk after them
        byte[] junk = new byte[60];
        Arrays.fill(junk, 20, 60, (byte) 0xA5);
        Files.write(segment(0), junk, StandardOpenOption.APPEND);

        EventLog again = track(reopen(1, () -> 0));

        // Then the units are all there and the junk is gone; it is taken for damage (kept aside), so appends
        // continue after the one offset its 60 bytes could hold
        assertThat(readAll(again, 0, 0)).isEqualTo(acknowledged);
        assertThat(Files.size(segment(0))).isEqualTo(size);
        assertThat(await(again.append(0, null, List.of(bytes("d"))))).isEqualTo(5);
    }

    @Test
    void when_lastRecordIsCutInHalf_then_reopenDropsItsWholeUnit() throws Exception {
        EventLog log = track(open(1, () -> 0));
        await(log.append(0, null, List.of(bytes("a"))));
        await(log.append(0, null, List.of(bytes("b1"), bytes("b2"), bytes("b3"))));
        log.close();
        // A crash tore the last record of the second unit in half
        cut(segment(0), recordBytes("b3") / 2);

        EventLog again = track(reopen(1, () -> 0));

        assertThat(readAll(again, 0, 0)).extracting(Rec::payload).containsExactly("a");
        assertThat(Files.size(segment(0))).isEqualTo(recordBytes("a"));
        assertThat(await(again.append(0, null, List.of(bytes("next"))))).isEqualTo(1);
    }

    @Test
    void when_unitMissesItsLastRecord_then_reopenDropsTheWholeUnit() throws Exception {
        EventLog log = track(open(1, () -> 0));
        await(log.append(0, null, List.of(bytes("a"))));
        await(log.append(0, null, List.of(bytes("b1"), bytes("b2"), bytes("b3"))));
        log.close();
        // A crash lost exactly the last record: the first two records of the unit are intact
        cut(segment(0), recordBytes("b3"));

        EventLog again = track(reopen(1, () -> 0));

        assertThat(readAll(again, 0, 0)).extracting(Rec::payload).containsExactly("a");
        assertThat(again.durableEnd(0)).isEqualTo(1);
    }

    @Test
    void when_crcFlipsInTheMiddleOfTheLastSegment_then_reopenKeepsOnlyTheUnitsBeforeIt() throws Exception {
        EventLog log = track(open(1, () -> 0));
        for (int u = 0; u < 6; u++) {
            await(log.append(0, null, List.of(bytes("u" + u + "r0"), bytes("u" + u + "r1"))));
        }
        List<Rec> acknowledged = readAll(log, 0, 0);
        log.close();
        // One bit of the payload of record 7 (the second record of unit 3) flips
        long record7 = 7L * recordBytes("u0r0");
        flip(segment(0), record7 + RecordFormat.HEADER + 1);

        EventLog again = track(reopen(1, () -> 0));

        assertThat(readAll(again, 0, 0)).isEqualTo(acknowledged.subList(0, 6));
        // the next offset is after every one the 6 records cut (246 bytes) could hold: 6 + 246 / 37
        assertThat(await(again.append(0, null, List.of(bytes("next"))))).isEqualTo(12);
        again.close();
        long size = Files.size(segment(0));
        assertThat(readAll(track(reopen(1, () -> 0)), 0, 0)).hasSize(7);
        assertThat(Files.size(segment(0))).isEqualTo(size);
    }

    @Test
    void when_aDamagedTailIsCut_then_itsOffsetsAreNeverGivenAgain_evenAfterAnotherRestart() throws Exception {
        EventLog log = track(open(1, () -> 0));
        for (int u = 0; u < 6; u++) {
            await(log.append(0, null, List.of(bytes("u" + u + "r0"), bytes("u" + u + "r1"))));
        }
        List<Rec> acknowledged = readAll(log, 0, 0);
        log.close();
        flip(segment(0), 7L * recordBytes("u0r0") + RecordFormat.HEADER + 1);

        // the cut leaves the end after unit 2 and starts an empty segment after what the cut bytes could hold
        FileEventLog cut = (FileEventLog) track(reopen(1, () -> 0));
        assertThat(cut.durableEnd(0)).isEqualTo(6);
        assertThat(cut.losses(0)).extracting(FileEventLog.Loss::from, FileEventLog.Loss::to)
                .containsExactly(tuple(6L, 12L));
        assertThat(cut.losses(0).get(0).reason()).contains("CRC mismatch", segment(0).toString(), ".damaged-246");
        assertThat(segment(12)).isEmptyFile();
        cut.close();

        // a restart before any append keeps both the end and the numbering
        EventLog again = track(reopen(1, () -> 0));
        assertThat(again.durableEnd(0)).isEqualTo(6);
        assertThat(await(again.append(0, null, List.of(bytes("next"))))).isEqualTo(12);
        assertThat(readAll(again, 0, 0)).extracting(Rec::offset).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 12L);
        assertThat(readAll(again, 0, 0).subList(0, 6)).isEqualTo(acknowledged.subList(0, 6));
        List<Rec> fromTheGap = new ArrayList<>();
        assertThat(again.read(0, 8, 10, collect(fromTheGap))).isEqualTo(13);
        assertThat(fromTheGap).extracting(Rec::payload).containsExactly("next");
    }

    @Test
    void when_bytesFlipInASealedSegment_then_readsGoOnPastTheDamagedUnitsWhichAreMovedAside() throws Exception {
        // Given two segments of four units of two records each: offsets 0..7 and 8..15
        options = new FileEventLog.Options(8L * recordBytes("u0r0"), 10);
        EventLog log = track(open(1, () -> 0));
        for (int u = 0; u < 8; u++) {
            await(log.append(0, null, List.of(bytes("u" + u + "r0"), bytes("u" + u + "r1"))));
        }
        List<Rec> acknowledged = readAll(log, 0, 0);
        log.close();
        byte[] before = Files.readAllBytes(segment(0));
        int unit = 2 * recordBytes("u0r0");
        // a payload byte of unit 1's second record and one of unit 3's first record flip in the sealed segment
        flip(segment(0), unit + recordBytes("u0r0") + RecordFormat.HEADER + 1);
        flip(segment(0), 3L * unit + RecordFormat.HEADER + 1);
        byte[] damaged = Files.readAllBytes(segment(0));

        // When it is reopened (recovery checks only the last segment) and read
        FileEventLog again = (FileEventLog) track(reopen(1, () -> 0));
        List<Rec> read = readAll(again, 0, 0);

        // Then units 1 and 3 are skipped, whole, and everything else is served
        List<Rec> expected = new ArrayList<>(acknowledged.subList(0, 2));
        expected.addAll(acknowledged.subList(4, 6));
        expected.addAll(acknowledged.subList(8, 16));
        assertThat(read).isEqualTo(expected);
        assertThat(again.losses(0)).extracting(FileEventLog.Loss::from, FileEventLog.Loss::to)
                .containsExactly(tuple(2L, 4L), tuple(6L, 8L));
        assertThat(again.losses(0).get(0).reason()).contains("CRC mismatch", "offset 3", segment(0).toString());
        // And unit 1 is moved aside, unit 2 has a segment of its own, and unit 3 is moved aside from there
        assertThat(Files.readAllBytes(segment(0))).isEqualTo(Arrays.copyOf(before, unit));
        assertThat(Files.readAllBytes(segment(0).resolveSibling(segment(0).getFileName() + ".damaged-" + unit)))
                .isEqualTo(Arrays.copyOfRange(damaged, unit, 2 * unit));
        assertThat(Files.readAllBytes(segment(4))).isEqualTo(Arrays.copyOfRange(before, 2 * unit, 3 * unit));
        assertThat(Files.readAllBytes(segment(4).resolveSibling(segment(4).getFileName() + ".damaged-" + unit)))
                .isEqualTo(Arrays.copyOfRange(damaged, 3 * unit, 4 * unit));
        again.close();

        // And after another restart the same records are served, and the offsets between segments are reported
        FileEventLog restarted = (FileEventLog) track(reopen(1, () -> 0));
        assertThat(readAll(restarted, 0, 0)).isEqualTo(expected);
        assertThat(restarted.losses(0)).extracting(FileEventLog.Loss::from, FileEventLog.Loss::to)
                .containsExactly(tuple(2L, 4L), tuple(6L, 8L));
        List<Rec> fromTheGap = new ArrayList<>();
        assertThat(restarted.read(0, 3, 1, collect(fromTheGap))).isEqualTo(5);
        assertThat(fromTheGap).extracting(Rec::offset).containsExactly(4L);
    }

    @Test
    void when_aByteFlipsInTheLastSegment_then_theDamagedRangeIsMovedAsideBeforeTheCut() throws Exception {
        EventLog log = track(open(1, () -> 0));
        for (int u = 0; u < 6; u++) {
            await(log.append(0, null, List.of(bytes("u" + u + "r0"), bytes("u" + u + "r1"))));
        }
        log.close();
        byte[] before = Files.readAllBytes(segment(0));
        long unit3 = 6L * recordBytes("u0r0");
        flip(segment(0), unit3 + recordBytes("u0r0") + RecordFormat.HEADER + 1);
        byte[] damaged = Files.readAllBytes(segment(0));

        track(reopen(1, () -> 0));

        // the segment keeps units 0..2; the bytes from unit 3 on, damage included, are kept aside as they were
        assertThat(Files.readAllBytes(segment(0))).isEqualTo(Arrays.copyOf(before, (int) unit3));
        Path aside = segment(0).resolveSibling(segment(0).getFileName() + ".damaged-" + unit3);
        assertThat(Files.readAllBytes(aside)).isEqualTo(Arrays.copyOfRange(damaged, (int) unit3, damaged.length));
    }

    @Test
    void when_aFlippedLengthRunsPastTheEnd_then_itIsTakenForDamageNotForATornTail() throws Exception {
        EventLog log = track(open(1, () -> 0));
        for (int u = 0; u < 6; u++) {
            await(log.append(0, null, List.of(bytes("u" + u + "r0"), bytes("u" + u + "r1"))));
        }
        log.close();
        long unit3 = 6L * recordBytes("u0r0");
        // the high byte of the length of unit 3's first record: it now claims 256 MB more than the file holds
        flip(segment(0), unit3 + RecordFormat.LENGTH);

        track(reopen(1, () -> 0));

        assertThat(Files.size(segment(0))).isEqualTo(unit3);
        assertThat(segment(0).resolveSibling(segment(0).getFileName() + ".damaged-" + unit3))
                .hasSize(6L * recordBytes("u0r0"));
    }

    @Test
    void when_onlyTheLastUnitIsCutShort_then_nothingIsMovedAside() throws Exception {
        EventLog log = track(open(1, () -> 0));
        await(log.append(0, null, List.of(bytes("a"))));
        await(log.append(0, null, List.of(bytes("b1"), bytes("b2"))));
        log.close();
        cut(segment(0), 3);

        track(reopen(1, () -> 0));

        try (Stream<Path> files = Files.list(segment(0).getParent())) {
            assertThat(files.map(f -> f.getFileName().toString())).containsExactly(segment(0).getFileName()
                    .toString());
        }
    }

    private static void cut(Path file, long bytes) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(channel.size() - bytes);
        }
    }

    private static void flip(Path file, long position) throws IOException {
        byte[] content = Files.readAllBytes(file);
        content[(int) position] ^= 0x10;
        Files.write(file, content);
    }

    // ---------------------------------------------------------------- segments

    @Test
    void when_segmentsRoll_then_filesAreNamedByBaseOffsetAndReadsCrossThem() throws Exception {
        options = new FileEventLog.Options(200, 10);
        EventLog log = track(open(1, () -> 0));
        List<Long> unitStarts = new ArrayList<>();
        for (int u = 0; u < 30; u++) {
            List<byte[]> unit = new ArrayList<>();
            for (int r = 0; r <= u % 3; r++) {
                unit.add(bytes(String.format("u%02d-r%d", u, r)));
            }
            unitStarts.add(await(log.append(0, null, unit)));
        }
        List<Rec> all = readAll(log, 0, 0);

        List<Path> files = segmentFiles();
        assertThat(files).hasSizeGreaterThan(5);
        for (Path f : files) {
            long base = Segment.baseOf(f.getFileName().toString());
            assertThat(unitStarts).contains(base);
            assertThat(Files.size(f)).isLessThanOrEqualTo(200);
            assertThat(firstOffsetIn(f)).isEqualTo(base);
        }
        assertThat(all).extracting(Rec::offset).containsExactlyElementsOf(offsets(all.size()));
        for (int from = 0; from < all.size(); from++) {
            List<Rec> one = new ArrayList<>();
            log.read(0, from, 1, collect(one));
            assertThat(one).containsExactly(all.get(from));
        }
        log.close();
        assertThat(readAll(track(reopen(1, () -> 0)), 0, 0)).isEqualTo(all);
    }

    @Test
    void when_lastSegmentIsEmptyOnReopen_then_theArrivalBoundComesFromThePreviousSegment() throws Exception {
        // Given a log that rolled to a new, still empty segment when the process stopped
        AtomicLong clock = new AtomicLong(7 * EPOCH_MS);
        EventLog log = track(open(1, clock::get));
        await(log.append(0, null, List.of(bytes("a"), bytes("b"))));
        log.close();
        Files.createFile(segment(2));

        // When it is reopened with the clock one epoch back and appends
        clock.set(6 * EPOCH_MS);
        EventLog again = track(reopen(1, clock::get));
        await(again.append(0, null, List.of(bytes("c"))));

        // Then the new record keeps the arrival of the last record in the previous segment
        assertThat(readAll(again, 0, 0)).extracting(Rec::arrivalMs, Rec::epoch)
                .containsOnly(tuple(7 * EPOCH_MS, 7L));
    }

    @Test
    void when_unitIsBiggerThanASegment_then_itGetsASegmentOfItsOwn() throws Exception {
        options = new FileEventLog.Options(100, 10);
        EventLog log = track(open(1, () -> 0));
        String big = "x".repeat(300);

        await(log.append(0, null, List.of(bytes("small"))));
        await(log.append(0, null, List.of(bytes(big), bytes(big))));
        await(log.append(0, null, List.of(bytes("after"))));

        assertThat(segmentFiles()).extracting(f -> f.getFileName().toString()).containsExactly(
                Segment.fileName(0), Segment.fileName(1), Segment.fileName(3));
        assertThat(readAll(log, 0, 0)).extracting(Rec::payload).containsExactly("small", big, big, "after");
    }

    @Test
    void when_readerTailsWhileSegmentsRoll_then_itSeesEveryRecordOnceInOrder() throws Exception {
        options = new FileEventLog.Options(300, 10);
        EventLog log = track(open(1, () -> 0));
        int units = 300;
        List<Rec> seen = new ArrayList<>();
        AtomicBoolean appending = new AtomicBoolean(true);
        Thread reader = new Thread(() -> {
            long next = 0;
            while (appending.get() || next < log.durableEnd(0)) {
                next = log.read(0, next, 1000, collect(seen));
                Thread.onSpinWait();
            }
        });
        reader.start();

        List<CompletableFuture<Long>> futures = new ArrayList<>();
        for (int u = 0; u < units; u++) {
            futures.add(log.append(0, null, List.of(bytes("a" + u), bytes("b" + u))));
        }
        for (CompletableFuture<Long> f : futures) {
            await(f);
        }
        appending.set(false);
        reader.join();

        assertThat(seen).isEqualTo(readAll(log, 0, 0));
        assertThat(seen).hasSize(2 * units);
    }

    @Test
    void when_deleteBeforeSpansSegments_then_wholeSegmentsGoAndStartOffsetIsTheFirstKeptBase() throws Exception {
        // Given segments of four one-record units each: bases 0, 4, 8, ...
        options = new FileEventLog.Options(4 * recordBytes("r00"), 10);
        EventLog log = track(open(1, () -> 0));
        for (int i = 0; i < 30; i++) {
            await(log.append(0, null, List.of(bytes(String.format("r%02d", i)))));
        }
        List<Rec> all = readAll(log, 0, 0);

        // When records before 10 may go
        log.deleteBefore(0, 10);

        // Then segments 0 and 4 are gone; segment 8 holds 10 and stays
        assertThat(log.startOffset(0)).isEqualTo(8);
        assertThat(Files.exists(segment(0))).isFalse();
        assertThat(Files.exists(segment(4))).isFalse();
        assertThat(readAll(log, 0, 8)).isEqualTo(all.subList(8, 30));
        assertThatThrownBy(() -> log.read(0, 7, 1, collect(new ArrayList<>())))
                .isInstanceOf(IllegalArgumentException.class);

        // And a restart keeps the new start; deleting everything still keeps the active segment
        log.close();
        EventLog again = track(reopen(1, () -> 0));
        assertThat(again.startOffset(0)).isEqualTo(8);
        again.deleteBefore(0, 30);
        assertThat(segmentFiles()).extracting(f -> f.getFileName().toString()).containsExactly(Segment.fileName(28));
        assertThat(readAll(again, 0, 28)).isEqualTo(all.subList(28, 30));
    }

    private List<Path> segmentFiles() throws IOException {
        try (Stream<Path> files = Files.list(dir.resolve("0"))) {
            return files.sorted().toList();
        }
    }

    private static long firstOffsetIn(Path segmentFile) throws IOException {
        return ByteBuffer.wrap(Files.readAllBytes(segmentFile)).getLong(RecordFormat.OFFSET);
    }

    private static List<Long> offsets(int n) {
        List<Long> offsets = new ArrayList<>();
        for (long i = 0; i < n; i++) {
            offsets.add(i);
        }
        return offsets;
    }

    private static EventLog.RecordConsumer collect(List<Rec> into) {
        return (offset, kind, epoch, arrival, buf, off, len) ->
                into.add(new Rec(offset, kind, epoch, arrival, new String(buf, off, len, ISO_8859_1)));
    }

    // ---------------------------------------------------------------- golden file

    /** What the golden segment holds: three units in arrival order, the first one before 1970. */
    private static final List<Rec> GOLDEN_RECORDS = List.of(
            new Rec(0, EventLog.MARKER, -1, -1, "key-1"),
            new Rec(1, EventLog.EVENT, -1, -1, ""),
            new Rec(2, EventLog.EVENT, -1, -1, "\u0000\u00ff\u007f\u0080"),
            new Rec(3, EventLog.EVENT, 1, EPOCH_MS, "{\"sym\":\"ACME\",\"px\":12.5}"),
            new Rec(4, EventLog.EVENT, 28_333_333, 1_700_000_000_000L, "last"));

    /** Appends {@link #GOLDEN_RECORDS} unit by unit, setting the clock to each unit's arrival time. */
    private static void writeGoldenInput(EventLog log, AtomicLong clock) throws Exception {
        clock.set(-1);
        await(log.append(0, new byte[] {EventLog.MARKER, EventLog.EVENT, EventLog.EVENT}, List.of(
                bytes(GOLDEN_RECORDS.get(0).payload()), bytes(GOLDEN_RECORDS.get(1).payload()),
                bytes(GOLDEN_RECORDS.get(2).payload()))));
        clock.set(EPOCH_MS);
        await(log.append(0, null, List.of(bytes(GOLDEN_RECORDS.get(3).payload()))));
        clock.set(1_700_000_000_000L);
        await(log.append(0, null, List.of(bytes(GOLDEN_RECORDS.get(4).payload()))));
    }

    private static byte[] golden() throws IOException {
        try (InputStream in = FileEventLogTest.class.getResourceAsStream(GOLDEN)) {
            assertThat(in).as(GOLDEN).isNotNull();
            return in.readAllBytes();
        }
    }

    @Test
    void when_goldenSegmentIsOpened_then_itHoldsTheGoldenRecords() throws Exception {
        Files.createDirectories(dir.resolve("0"));
        Files.write(segment(0), golden());

        EventLog log = track(open(1, () -> 0));

        assertThat(readAll(log, 0, 0)).isEqualTo(GOLDEN_RECORDS);
        assertThat(Files.size(segment(0))).isEqualTo(golden().length);
    }

    @Test
    void when_goldenInputIsWrittenToday_then_theBytesEqualTheGoldenSegment() throws Exception {
        AtomicLong clock = new AtomicLong();
        EventLog log = track(open(1, clock::get));

        writeGoldenInput(log, clock);
        log.close();

        assertThat(Files.readAllBytes(segment(0))).isEqualTo(golden());
    }

    @Test
    void when_goldenSegmentIsDecodedByTheDocumentedTable_then_everyFieldMatches() throws Exception {
        ByteBuffer buf = ByteBuffer.wrap(golden());
        CRC32C crc = new CRC32C();
        for (Rec expected : GOLDEN_RECORDS) {
            int at = buf.position();
            int length = buf.getInt(at);
            crc.reset();
            crc.update(buf.array(), at + 8, 29 + length);
            assertThat(buf.getInt(at + 4)).isEqualTo((int) crc.getValue());
            assertThat(buf.getLong(at + 8)).isEqualTo(expected.offset());
            assertThat(buf.get(at + 16)).isEqualTo(expected.kind());
            assertThat(buf.getLong(at + 17)).isEqualTo(expected.epoch());
            assertThat(buf.getLong(at + 25)).isEqualTo(expected.arrivalMs());
            assertThat(buf.getInt(at + 33)).isEqualTo(expected.offset() == 0 ? 2 : expected.offset() == 1 ? 1 : 0);
            assertThat(new String(buf.array(), at + 37, length, ISO_8859_1)).isEqualTo(expected.payload());
            buf.position(at + 37 + length);
        }
        assertThat(buf.hasRemaining()).isFalse();
    }

    // ---------------------------------------------------------------- failures

    @Test
    void when_writeFailsHalfway_then_itsFutureFailsAndNothingUnacknowledgedIsVisible() throws Exception {
        // Given a log whose fourth write writes half its bytes and fails
        FaultyChannel.Faults faults = new FaultyChannel.Faults();
        faults.failWrite = 4;
        opener = faults.opener();
        EventLog log = track(open(1, () -> 0));
        for (int u = 0; u < 3; u++) {
            await(log.append(0, null, List.of(bytes("ok" + u))));
        }

        // When the fourth unit is appended
        CompletableFuture<Long> failed = log.append(0, null, List.of(bytes("lost1"), bytes("lost2")));

        // Then its future fails, readers see only the three units, and the partition refuses appends
        assertThatThrownBy(() -> await(failed)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(UncheckedIOException.class);
        assertThat(log.durableEnd(0)).isEqualTo(3);
        assertThat(readAll(log, 0, 0)).extracting(Rec::payload).containsExactly("ok0", "ok1", "ok2");
        assertThatThrownBy(() -> await(log.append(0, null, List.of(bytes("more")))))
                .hasCauseInstanceOf(IllegalStateException.class)
                .hasMessageContaining("refuses appends since a write or fsync failed");

        // And after a restart the half-written unit is gone
        log.close();
        opener = ChannelOpener.DEFAULT;
        assertThat(readAll(track(reopen(1, () -> 0)), 0, 0)).extracting(Rec::payload)
                .containsExactly("ok0", "ok1", "ok2");
    }

    @Test
    void when_theDeviceIsFullDuringAWrite_then_thatAppendIsUndoneAndTheNextOneSucceeds() throws Exception {
        // Given a log whose fourth write writes half its bytes and finds the device full
        FaultyChannel.Faults faults = new FaultyChannel.Faults();
        faults.failWrite = 4;
        faults.failWriteMessage = "No space left on device";
        opener = faults.opener();
        EventLog log = track(open(1, () -> 0));
        for (int u = 0; u < 3; u++) {
            await(log.append(0, null, List.of(bytes("ok" + u))));
        }

        // When the fourth unit is appended, its future fails naming the segment; nothing of it stays
        CompletableFuture<Long> full = log.append(0, null, List.of(bytes("lost1"), bytes("lost2")));
        assertThatThrownBy(() -> await(full)).cause().isInstanceOf(StorageFullException.class)
                .hasMessageContaining("no space left on the device of " + dir.resolve("0")
                        .resolve("00000000000000000000.log"))
                .hasMessageContaining("offsets 3..4 could not be written");
        assertThat(log.durableEnd(0)).isEqualTo(3);

        // Then, space being back, the next append takes the offset the failed one would have had
        assertThat(await(log.append(0, null, List.of(bytes("again"))))).isEqualTo(3);
        assertThat(readAll(log, 0, 0)).extracting(Rec::payload).containsExactly("ok0", "ok1", "ok2", "again");

        // And a restart finds the same records
        log.close();
        opener = ChannelOpener.DEFAULT;
        assertThat(readAll(track(reopen(1, () -> 0)), 0, 0)).extracting(Rec::payload)
                .containsExactly("ok0", "ok1", "ok2", "again");
    }

    @Test
    void when_fsyncFails_then_pendingFuturesFailAndDurableEndStays() throws Exception {
        // Given a log whose second fsync fails
        FaultyChannel.Faults faults = new FaultyChannel.Faults();
        opener = faults.opener();
        EventLog log = track(open(1, () -> 0));
        await(log.append(0, null, List.of(bytes("durable"))));
        faults.failForce = faults.forces.get() + 1;

        // When a unit is appended
        CompletableFuture<Long> failed = log.append(0, null, List.of(bytes("maybe1"), bytes("maybe2")));

        // Then it is not acknowledged nor visible, and the partition refuses appends
        assertThatThrownBy(() -> await(failed)).hasCauseInstanceOf(UncheckedIOException.class);
        assertThat(log.durableEnd(0)).isEqualTo(1);
        assertThat(readAll(log, 0, 0)).extracting(Rec::payload).containsExactly("durable");
        assertThatThrownBy(() -> await(log.append(0, null, List.of(bytes("more")))))
                .hasCauseInstanceOf(IllegalStateException.class);

        // And after a restart the unit whose fsync failed is there whole or not at all
        log.close();
        opener = ChannelOpener.DEFAULT;
        List<String> after = readAll(track(reopen(1, () -> 0)), 0, 0).stream().map(Rec::payload).toList();
        assertThat(after).isIn(List.of("durable"), List.of("durable", "maybe1", "maybe2"));
    }

    @Test
    void when_fsyncIsStillRunning_then_theUnitIsNeitherAcknowledgedNorReadable() throws Exception {
        FaultyChannel.Faults faults = new FaultyChannel.Faults();
        CountDownLatch gate = new CountDownLatch(1);
        faults.forceGate = gate;
        opener = faults.opener();
        EventLog log = track(open(1, () -> 0));

        CompletableFuture<Long> appended = log.append(0, null, List.of(bytes("a")));
        assertThat(faults.forceEntered.await(30, TimeUnit.SECONDS)).isTrue();

        assertThat(appended).isNotDone();
        assertThat(log.durableEnd(0)).isZero();
        assertThat(readAll(log, 0, 0)).isEmpty();
        gate.countDown();
        assertThat(await(appended)).isZero();
        assertThat(readAll(log, 0, 0)).extracting(Rec::payload).containsExactly("a");
    }

    @Test
    void when_writeFailsWhileAnEarlierUnitIsBeingFsynced_then_theEarlierUnitStaysUnacknowledgedAndInvisible()
            throws Exception {
        // Given a first unit whose fsync is held at the gate
        FaultyChannel.Faults faults = new FaultyChannel.Faults();
        CountDownLatch gate = new CountDownLatch(1);
        faults.forceGate = gate;
        opener = faults.opener();
        EventLog log = track(open(1, () -> 0));
        CompletableFuture<Long> first = log.append(0, null, List.of(bytes("first")));
        assertThat(faults.forceEntered.await(30, TimeUnit.SECONDS)).isTrue();

        // When the next write fails, and only then the fsync of the first unit succeeds
        faults.failWrite = faults.writes.get() + 1;
        CompletableFuture<Long> second = log.append(0, null, List.of(bytes("second")));
        gate.countDown();

        // Then neither unit is acknowledged, and readers never see the first one
        assertThatThrownBy(() -> await(first)).hasCauseInstanceOf(UncheckedIOException.class);
        assertThatThrownBy(() -> await(second)).hasCauseInstanceOf(UncheckedIOException.class);
        log.close();
        assertThat(log.durableEnd(0)).isZero();
    }

    // ---------------------------------------------------------------- opening

    @Test
    void when_logIsOpenAlready_then_openingItAgainFailsUntilItIsClosed() throws Exception {
        EventLog log = track(open(1, () -> 0));

        assertThatThrownBy(() -> open(1, () -> 0)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already open");
        log.close();
        assertThat(track(reopen(1, () -> 0)).durableEnd(0)).isZero();
    }

    @Test
    void when_diskHasMorePartitionsThanRequested_then_openFails() throws Exception {
        track(open(3, () -> 0)).close();

        assertThatThrownBy(() -> reopen(2, () -> 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("has a partition 2");
    }
}
