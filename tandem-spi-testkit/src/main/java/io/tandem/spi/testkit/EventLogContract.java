package io.tandem.spi.testkit;

import io.tandem.spi.log.EventLog;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.stream.LongStream;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.data.Index.atIndex;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The contract of {@link EventLog}: every implementation's test extends this class and adds its own tests.
 * In the main scope of tandem-spi-testkit, so that implementations in other modules extend it too.
 *
 * <p>Payloads in these tests are Latin-1 strings, so every byte value round-trips through a {@code String}.
 */
public abstract class EventLogContract {

    /** The epoch length every log under test must be opened with. */
    protected static final long EPOCH_MS = 60_000;

    private final List<EventLog> opened = new ArrayList<>();

    /** Opens a new, empty log with epochs of {@link #EPOCH_MS} that reads arrival times from {@code clockMs}. */
    protected abstract EventLog open(int partitions, LongSupplier clockMs) throws Exception;

    /** Opens again, as a restarted process would, the log last returned by {@link #open}; it was closed before. */
    protected abstract EventLog reopen(int partitions, LongSupplier clockMs) throws Exception;

    /**
     * Whether arrival times come from the clock passed to {@link #open}. A log whose broker stamps them (Kafka's
     * {@code LogAppendTime}) answers false: the tests that drive the clock are then skipped, and the others check
     * that each arrival lies within the wall-clock time of its append and that its epoch follows from it.
     */
    protected boolean stampsWithGivenClock() {
        return true;
    }

    /**
     * Whether offsets are dense from 0. A log may leave gaps for records no reader sees (Kafka's transaction
     * markers): the tests then check that offsets increase and that a read continues past the gaps.
     */
    protected boolean denseOffsets() {
        return true;
    }

    /** One record as a reader sees it. */
    public record Rec(long offset, byte kind, long epoch, long arrivalMs, String payload) {
    }

    @AfterEach
    protected void closeLogs() {
        opened.forEach(EventLog::close);
    }

    /** Closes the log when the test ends, even when it fails. */
    protected final EventLog track(EventLog log) {
        opened.add(log);
        return log;
    }

    protected static byte[] bytes(String latin1) {
        return latin1.getBytes(ISO_8859_1);
    }

    protected static long await(CompletableFuture<Long> future) throws Exception {
        return future.get(30, TimeUnit.SECONDS);
    }

    /** The offsets of the records, in order. */
    protected static List<Long> offsets(List<Rec> records) {
        return records.stream().map(Rec::offset).toList();
    }

    /** Every durable record of the partition from {@code from} on, read a few at a time. */
    protected static List<Rec> readAll(EventLog log, int partition, long from) {
        List<Rec> records = new ArrayList<>();
        long end = log.durableEnd(partition);
        long next = from;
        while (next < end) {
            next = log.read(partition, next, 7, (offset, kind, epoch, arrival, buf, off, len) ->
                    records.add(new Rec(offset, kind, epoch, arrival, new String(buf, off, len, ISO_8859_1))));
        }
        return records;
    }

    @Test
    public void when_unitIsAppended_then_readReturnsItsKindsPayloadsAndStamps() throws Exception {
        long now = 1_700_000_123_456L;
        EventLog log = track(open(1, () -> now));
        String binary = new String(allByteValues(), ISO_8859_1);

        long before = System.currentTimeMillis();
        long first = await(log.append(0, new byte[] {EventLog.EVENT, EventLog.MARKER, EventLog.EVENT},
                List.of(bytes("a"), bytes(binary), new byte[0])));
        long after = System.currentTimeMillis();

        List<Rec> records = readAll(log, 0, 0);
        assertThat(records).extracting(Rec::kind, Rec::payload).containsExactly(
                tuple(EventLog.EVENT, "a"), tuple(EventLog.MARKER, binary), tuple(EventLog.EVENT, ""));
        assertThat(records.get(0).offset()).isEqualTo(first);
        assertThat(offsets(records)).isSorted().doesNotHaveDuplicates();
        assertThat(log.durableEnd(0)).isGreaterThan(records.get(2).offset());
        if (stampsWithGivenClock()) {
            assertThat(records).extracting(Rec::arrivalMs, Rec::epoch)
                    .containsOnly(tuple(now, Math.floorDiv(now, EPOCH_MS)));
        } else {
            assertStampedBetween(records, before, after);
        }
        if (denseOffsets()) {
            assertThat(offsets(records)).containsExactly(0L, 1L, 2L);
            assertThat(log.durableEnd(0)).isEqualTo(3);
        }
    }

    /** Each record arrived within [before, after] of the wall clock, and its epoch is its arrival's. */
    private static void assertStampedBetween(List<Rec> records, long before, long after) {
        for (Rec r : records) {
            assertThat(r.arrivalMs()).as("arrival of offset %d", r.offset()).isBetween(before, after);
            assertThat(r.epoch()).as("epoch of offset %d", r.offset())
                    .isEqualTo(Math.floorDiv(r.arrivalMs(), EPOCH_MS));
        }
    }

    @Test
    public void when_kindsAreNull_then_everyRecordIsAnEvent() throws Exception {
        EventLog log = track(open(1, () -> 0));

        await(log.append(0, null, List.of(bytes("x"), bytes("y"))));

        assertThat(readAll(log, 0, 0)).extracting(Rec::kind).containsExactly(EventLog.EVENT, EventLog.EVENT);
    }

    @Test
    public void when_unitsGoToSeveralPartitions_then_offsetsIncreaseInEachPartition() throws Exception {
        EventLog log = track(open(3, () -> 0));

        long a = await(log.append(0, null, List.of(bytes("a"), bytes("b"))));
        long c = await(log.append(2, null, List.of(bytes("c"))));
        long d = await(log.append(0, null, List.of(bytes("d"))));
        long e = await(log.append(2, null, List.of(bytes("e"), bytes("f"), bytes("g"))));

        assertThat(log.partitions()).isEqualTo(3);
        List<Rec> p0 = readAll(log, 0, 0);
        List<Rec> p2 = readAll(log, 2, 0);
        assertThat(p0).extracting(Rec::payload).containsExactly("a", "b", "d");
        assertThat(p2).extracting(Rec::payload).containsExactly("c", "e", "f", "g");
        assertThat(offsets(p0)).isSorted().doesNotHaveDuplicates().startsWith(a).contains(d, atIndex(2));
        assertThat(offsets(p2)).isSorted().doesNotHaveDuplicates().startsWith(c).contains(e, atIndex(1));
        assertThat(log.durableEnd(1)).isZero();
        if (denseOffsets()) {
            assertThat(List.of(a, c, d, e)).containsExactly(0L, 0L, 2L, 1L);
            assertThat(offsets(p2)).containsExactly(0L, 1L, 2L, 3L);
        }
    }

    @Test
    public void when_clockIsAroundOrBefore1970_then_epochIsTheFloorOfArrivalOverEpochLength() throws Exception {
        assumeTrue(stampsWithGivenClock(), "the log stamps arrivals with its own clock");
        AtomicLong clock = new AtomicLong();
        EventLog log = track(open(1, clock::get));
        long[] arrivals = {-EPOCH_MS - 1, -EPOCH_MS, -1, 0, EPOCH_MS - 1, EPOCH_MS};

        for (long arrival : arrivals) {
            clock.set(arrival);
            await(log.append(0, null, List.of(bytes("e"))));
        }

        assertThat(readAll(log, 0, 0)).extracting(Rec::arrivalMs, Rec::epoch).containsExactly(
                tuple(-EPOCH_MS - 1, -2L), tuple(-EPOCH_MS, -1L), tuple(-1L, -1L),
                tuple(0L, 0L), tuple(EPOCH_MS - 1, 0L), tuple(EPOCH_MS, 1L));
    }

    @Test
    public void when_clockTicksOnEveryRead_then_aUnitSharesOneArrivalTime() throws Exception {
        assumeTrue(stampsWithGivenClock(), "the log stamps arrivals with its own clock");
        AtomicLong clock = new AtomicLong(1_000);
        EventLog log = track(open(1, clock::incrementAndGet));

        await(log.append(0, null, List.of(bytes("a"), bytes("b"), bytes("c"))));
        await(log.append(0, null, List.of(bytes("d"))));

        assertThat(readAll(log, 0, 0)).extracting(Rec::arrivalMs).containsExactly(1_001L, 1_001L, 1_001L, 1_002L);
    }

    @Test
    public void when_clockStepsBack_then_noPartitionGetsAnEarlierArrivalOrEpoch_evenAfterReopen() throws Exception {
        assumeTrue(stampsWithGivenClock(), "the log stamps arrivals with its own clock");
        // Given a log whose clock reads 10 s into epoch 5
        AtomicLong clock = new AtomicLong(5 * EPOCH_MS + 10_000);
        EventLog log = track(open(2, clock::get));
        await(log.append(0, null, List.of(bytes("a"))));

        // When the clock steps back into epoch 4, and partition 1 (still empty) appends too
        clock.set(4 * EPOCH_MS + 30_000);
        await(log.append(0, null, List.of(bytes("b"))));
        await(log.append(1, null, List.of(bytes("c"))));

        // Then partition 0 keeps its last arrival; partition 1 has no past to keep and takes the clock
        assertThat(readAll(log, 0, 0)).extracting(Rec::arrivalMs, Rec::epoch).containsExactly(
                tuple(5 * EPOCH_MS + 10_000, 5L), tuple(5 * EPOCH_MS + 10_000, 5L));
        assertThat(readAll(log, 1, 0)).extracting(Rec::arrivalMs, Rec::epoch)
                .containsExactly(tuple(4 * EPOCH_MS + 30_000, 4L));

        // When the log is reopened with the clock further back, then the tails still bound the arrivals
        log.close();
        clock.set(EPOCH_MS);
        EventLog again = track(reopen(2, clock::get));
        await(again.append(0, null, List.of(bytes("d"))));
        await(again.append(1, null, List.of(bytes("e"))));
        assertThat(readAll(again, 0, 2)).extracting(Rec::arrivalMs, Rec::epoch)
                .containsExactly(tuple(5 * EPOCH_MS + 10_000, 5L));
        assertThat(readAll(again, 1, 1)).extracting(Rec::arrivalMs, Rec::epoch)
                .containsExactly(tuple(4 * EPOCH_MS + 30_000, 4L));

        // And once the clock moves past the tail again, arrivals follow the clock
        clock.set(6 * EPOCH_MS);
        await(again.append(0, null, List.of(bytes("f"))));
        assertThat(readAll(again, 0, 3)).extracting(Rec::arrivalMs).containsExactly(6 * EPOCH_MS);
    }

    @Test
    public void when_callerChangesItsArrayAfterAppend_then_theLogKeepsTheOriginalBytes() throws Exception {
        EventLog log = track(open(1, () -> 0));
        byte[] payload = bytes("original");

        CompletableFuture<Long> appended = log.append(0, null, List.of(payload));
        payload[0] = 'X';
        await(appended);

        assertThat(readAll(log, 0, 0)).extracting(Rec::payload).containsExactly("original");
    }

    @Test
    public void when_futureCompletes_then_durableEndAlreadyCoversTheWholeUnit() throws Exception {
        EventLog log = track(open(2, () -> 0));
        List<String> violations = Collections.synchronizedList(new ArrayList<>());
        List<CompletableFuture<Long>> futures = new ArrayList<>();

        for (int i = 0; i < 60; i++) {
            int partition = i % 2;
            int size = 1 + i % 4;
            List<byte[]> unit = new ArrayList<>();
            for (int r = 0; r < size; r++) {
                unit.add(bytes("u" + i + "r" + r));
            }
            futures.add(log.append(partition, null, unit).whenComplete((first, error) -> {
                if (log.durableEnd(partition) < first + size) {
                    violations.add("unit at " + first + " of size " + size + " acknowledged at durable end "
                            + log.durableEnd(partition));
                }
            }));
        }
        for (CompletableFuture<Long> f : futures) {
            await(f);
        }

        assertThat(violations).isEmpty();
    }

    @Test
    public void when_severalThreadsAppendWhileOneReads_then_unitsAreContiguousAndNothingIsLostOrDuplicated()
            throws Exception {
        EventLog log = track(open(2, () -> 0));
        int threads = 4;
        int unitsPerThread = 100;
        List<List<CompletableFuture<Long>>> futures = new ArrayList<>();
        List<Rec> seenLive = new ArrayList<>();
        List<Long> durableEnds = new ArrayList<>();
        AtomicBoolean appending = new AtomicBoolean(true);
        Thread reader = new Thread(() -> {
            long next = 0;
            while (appending.get() || next < log.durableEnd(0)) {
                next = log.read(0, next, 50, (offset, kind, epoch, arrival, buf, off, len) ->
                        seenLive.add(new Rec(offset, kind, epoch, arrival, new String(buf, off, len, ISO_8859_1))));
                long end = log.durableEnd(0);
                if (durableEnds.isEmpty() || durableEnds.get(durableEnds.size() - 1) != end) {
                    durableEnds.add(end);
                }
                Thread.onSpinWait();
            }
        });
        reader.start();
        List<Thread> appenders = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            List<CompletableFuture<Long>> mine = Collections.synchronizedList(new ArrayList<>());
            futures.add(mine);
            int thread = t;
            appenders.add(new Thread(() -> {
                for (int u = 0; u < unitsPerThread; u++) {
                    mine.add(log.append(u % 2, null, unit(thread, u)));
                }
            }));
        }
        appenders.forEach(Thread::start);
        for (Thread a : appenders) {
            a.join();
        }
        for (List<CompletableFuture<Long>> mine : futures) {
            for (CompletableFuture<Long> f : mine) {
                await(f);
            }
        }
        appending.set(false);
        reader.join();

        List<List<Rec>> partitions = List.of(readAll(log, 0, 0), readAll(log, 1, 0));
        List<Map<Long, Integer>> indexOfOffset = List.of(new HashMap<>(), new HashMap<>());
        for (int p = 0; p < 2; p++) {
            for (int i = 0; i < partitions.get(p).size(); i++) {
                indexOfOffset.get(p).put(partitions.get(p).get(i).offset(), i);
            }
        }
        List<long[]> unitsInPartition0 = new ArrayList<>();
        long total = 0;
        for (int t = 0; t < threads; t++) {
            for (int u = 0; u < unitsPerThread; u++) {
                long first = futures.get(t).get(u).get();
                List<Rec> records = partitions.get(u % 2);
                int at = indexOfOffset.get(u % 2).get(first);
                List<byte[]> expected = unit(t, u);
                for (int r = 0; r < expected.size(); r++) {
                    assertThat(records.get(at + r).payload()).isEqualTo(new String(expected.get(r), ISO_8859_1));
                }
                if (u % 2 == 0) {
                    unitsInPartition0.add(new long[] {first, records.get(at + expected.size() - 1).offset()});
                }
                total += expected.size();
            }
        }
        assertThat((long) partitions.get(0).size() + partitions.get(1).size()).isEqualTo(total);
        assertThat(seenLive).isEqualTo(partitions.get(0));
        for (long end : durableEnds) {
            for (long[] unit : unitsInPartition0) {
                assertThat(end > unit[0] && end <= unit[1])
                        .as("durable end %d splits the unit at offsets %d to %d", end, unit[0], unit[1]).isFalse();
            }
        }
    }

    /** The records of unit {@code u} of appender {@code t}: one to five of them. */
    private static List<byte[]> unit(int t, int u) {
        List<byte[]> records = new ArrayList<>();
        int size = 1 + (t * 7 + u) % 5;
        for (int r = 0; r < size; r++) {
            records.add(bytes("t" + t + "u" + u + "r" + r));
        }
        return records;
    }

    @Test
    public void when_readIsBoundedByMaxRecords_then_itReturnsAtMostThatManyAndTheNextOffset() throws Exception {
        EventLog log = track(open(1, () -> 0));
        for (int i = 0; i < 10; i++) {
            await(log.append(0, null, List.of(bytes("r" + i))));
        }
        List<Long> all = offsets(readAll(log, 0, 0));
        List<Long> offsets = new ArrayList<>();
        EventLog.RecordConsumer collect = (offset, kind, epoch, arrival, buf, off, len) -> offsets.add(offset);
        long end = log.durableEnd(0);

        long next = log.read(0, 0, 3, collect);
        assertThat(next).isGreaterThan(all.get(2)).isLessThanOrEqualTo(all.get(3));
        assertThat(log.read(0, next, 0, collect)).isEqualTo(next);
        assertThat(log.read(0, next, 100, collect)).isEqualTo(end);
        assertThat(log.read(0, end, 100, collect)).isEqualTo(end);

        assertThat(offsets).isEqualTo(all).hasSize(10);
        if (denseOffsets()) {
            assertThat(next).isEqualTo(3);
            assertThat(end).isEqualTo(10);
        }
    }

    @Test
    public void when_readsJumpAround_then_eachReturnsTheRecordsAtItsOffset() throws Exception {
        EventLog log = track(open(1, () -> 0));
        for (int i = 0; i < 40; i++) {
            await(log.append(0, null, i % 3 == 0 ? List.of(bytes("r" + i), bytes("s" + i)) : List.of(bytes("r" + i))));
        }
        List<Rec> all = readAll(log, 0, 0);
        Random random = new Random(7);

        for (int i = 0; i < 50; i++) {
            int from = random.nextInt(all.size());
            int to = Math.min(from + 5, all.size());
            List<Rec> got = new ArrayList<>();
            long next = log.read(0, all.get(from).offset(), 5, (offset, kind, epoch, arrival, buf, off, len) ->
                    got.add(new Rec(offset, kind, epoch, arrival, new String(buf, off, len, ISO_8859_1))));
            assertThat(got).isEqualTo(all.subList(from, to));
            assertThat(next).isGreaterThan(all.get(to - 1).offset())
                    .isLessThanOrEqualTo(to < all.size() ? all.get(to).offset() : log.durableEnd(0));
        }
    }

    @Test
    public void when_readStartsOutsideTheDurableRecords_then_itIsRejected() throws Exception {
        EventLog log = track(open(1, () -> 0));
        await(log.append(0, null, List.of(bytes("a"))));
        EventLog.RecordConsumer ignore = (offset, kind, epoch, arrival, buf, off, len) -> { };

        long end = log.durableEnd(0);

        assertThatThrownBy(() -> log.read(0, end + 1, 10, ignore)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> log.read(0, -1, 10, ignore)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> log.read(0, 0, -1, ignore)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    public void when_appendArgumentsAreBad_then_appendIsRejected() throws Exception {
        EventLog log = track(open(2, () -> 0));
        List<byte[]> one = List.of(bytes("a"));
        List<byte[]> withNull = new ArrayList<>();
        withNull.add(null);

        assertThatThrownBy(() -> log.append(2, null, one)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> log.append(-1, null, one)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> log.append(0, null, List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> log.append(0, new byte[2], one)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> log.append(0, new byte[] {7}, one)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> log.append(0, null, withNull)).isInstanceOf(IllegalArgumentException.class);
        assertThat(log.durableEnd(0)).isZero();
    }

    @Test
    public void when_logIsReopened_then_everyAcknowledgedRecordIsKeptAndOffsetsContinue() throws Exception {
        AtomicLong clock = new AtomicLong(-5_000);
        EventLog log = track(open(2, clock::get));
        for (int i = 0; i < 20; i++) {
            clock.addAndGet(EPOCH_MS / 3);
            byte[] kinds = {EventLog.MARKER, EventLog.EVENT};
            await(log.append(i % 2, kinds, List.of(bytes("m" + i), bytes("e" + i))));
        }
        List<Rec> before0 = readAll(log, 0, 0);
        List<Rec> before1 = readAll(log, 1, 0);
        log.close();

        EventLog again = track(reopen(2, clock::get));

        assertThat(readAll(again, 0, 0)).isEqualTo(before0);
        assertThat(readAll(again, 1, 0)).isEqualTo(before1);
        long next = await(again.append(1, null, List.of(bytes("next"))));
        assertThat(next).isGreaterThan(before1.get(before1.size() - 1).offset());
        if (denseOffsets()) {
            assertThat(next).isEqualTo(20);
        }
    }

    @Test
    public void when_logIsClosed_then_pendingAppendsAreAcknowledgedAndLaterAppendsFail() throws Exception {
        EventLog log = track(open(1, () -> 0));
        List<CompletableFuture<Long>> pending = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            pending.add(log.append(0, null, List.of(bytes("r" + i))));
        }

        log.close();

        List<Long> firsts = new ArrayList<>();
        for (CompletableFuture<Long> p : pending) {
            assertThat(p).isCompleted();
            firsts.add(p.join());
        }
        assertThat(firsts).isSorted().doesNotHaveDuplicates();
        if (denseOffsets()) {
            assertThat(firsts).isEqualTo(LongStream.range(0, pending.size()).boxed().toList());
        }
        assertThatThrownBy(() -> await(log.append(0, null, List.of(bytes("late")))))
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(IllegalStateException.class);
    }

    @Test
    public void when_deleteBefore_then_recordsFromThatOffsetOnStayReadable() throws Exception {
        EventLog log = track(open(1, () -> 0));
        for (int i = 0; i < 20; i++) {
            await(log.append(0, null, List.of(bytes("r" + i))));
        }
        List<Rec> all = readAll(log, 0, 0);
        long cut = all.get(12).offset();
        long first = all.get(0).offset();

        log.deleteBefore(0, cut);

        long start = log.startOffset(0);
        assertThat(start).isBetween(first, cut);
        assertThat(readAll(log, 0, cut)).isEqualTo(all.subList(12, 20));
        assertThat(readAll(log, 0, start)).isEqualTo(all.stream().filter(r -> r.offset() >= start).toList());
        long beyond = log.durableEnd(0) + 1;
        assertThatThrownBy(() -> log.deleteBefore(0, beyond)).isInstanceOf(IllegalArgumentException.class);
    }

    private static byte[] allByteValues() {
        byte[] all = new byte[256];
        for (int i = 0; i < all.length; i++) {
            all[i] = (byte) i;
        }
        return all;
    }
}
