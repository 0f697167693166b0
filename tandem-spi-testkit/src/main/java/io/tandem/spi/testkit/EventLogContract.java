package io.tandem.spi.testkit;

import io.tandem.spi.log.EventLog;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

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

        long first = await(log.append(0, new byte[] {EventLog.EVENT, EventLog.MARKER, EventLog.EVENT},
                List.of(bytes("a"), bytes(binary), new byte[0])));

        long epoch = Math.floorDiv(now, EPOCH_MS);
        assertThat(first).isZero();
        assertThat(log.durableEnd(0)).isEqualTo(3);
        assertThat(readAll(log, 0, 0)).containsExactly(
                new Rec(0, EventLog.EVENT, epoch, now, "a"),
                new Rec(1, EventLog.MARKER, epoch, now, binary),
                new Rec(2, EventLog.EVENT, epoch, now, ""));
    }

    @Test
    public void when_kindsAreNull_then_everyRecordIsAnEvent() throws Exception {
        EventLog log = track(open(1, () -> 0));

        await(log.append(0, null, List.of(bytes("x"), bytes("y"))));

        assertThat(readAll(log, 0, 0)).extracting(Rec::kind).containsExactly(EventLog.EVENT, EventLog.EVENT);
    }

    @Test
    public void when_unitsGoToSeveralPartitions_then_offsetsAreDenseFromZeroInEachPartition() throws Exception {
        EventLog log = track(open(3, () -> 0));

        assertThat(await(log.append(0, null, List.of(bytes("a"), bytes("b"))))).isZero();
        assertThat(await(log.append(2, null, List.of(bytes("c"))))).isZero();
        assertThat(await(log.append(0, null, List.of(bytes("d"))))).isEqualTo(2);
        assertThat(await(log.append(2, null, List.of(bytes("e"), bytes("f"), bytes("g"))))).isEqualTo(1);

        assertThat(log.partitions()).isEqualTo(3);
        assertThat(readAll(log, 0, 0)).extracting(Rec::offset, Rec::payload)
                .containsExactly(tuple(0L, "a"), tuple(1L, "b"), tuple(2L, "d"));
        assertThat(log.durableEnd(1)).isZero();
        assertThat(readAll(log, 2, 0)).extracting(Rec::offset).containsExactly(0L, 1L, 2L, 3L);
    }

    @Test
    public void when_clockIsAroundOrBefore1970_then_epochIsTheFloorOfArrivalOverEpochLength() throws Exception {
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
        AtomicLong clock = new AtomicLong(1_000);
        EventLog log = track(open(1, clock::incrementAndGet));

        await(log.append(0, null, List.of(bytes("a"), bytes("b"), bytes("c"))));
        await(log.append(0, null, List.of(bytes("d"))));

        assertThat(readAll(log, 0, 0)).extracting(Rec::arrivalMs).containsExactly(1_001L, 1_001L, 1_001L, 1_002L);
    }

    @Test
    public void when_clockStepsBack_then_noPartitionGetsAnEarlierArrivalOrEpoch_evenAfterReopen() throws Exception {
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
        Set<Long> unitEndsInPartition0 = new HashSet<>(Set.of(0L));
        long total = 0;
        for (int t = 0; t < threads; t++) {
            for (int u = 0; u < unitsPerThread; u++) {
                int first = (int) (long) futures.get(t).get(u).get();
                List<byte[]> expected = unit(t, u);
                for (int r = 0; r < expected.size(); r++) {
                    assertThat(partitions.get(u % 2).get(first + r).payload())
                            .isEqualTo(new String(expected.get(r), ISO_8859_1));
                }
                if (u % 2 == 0) {
                    unitEndsInPartition0.add((long) first + expected.size());
                }
                total += expected.size();
            }
        }
        assertThat((long) partitions.get(0).size() + partitions.get(1).size()).isEqualTo(total);
        assertThat(seenLive).isEqualTo(partitions.get(0));
        assertThat(unitEndsInPartition0).containsAll(durableEnds);
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
        List<Long> offsets = new ArrayList<>();
        EventLog.RecordConsumer collect = (offset, kind, epoch, arrival, buf, off, len) -> offsets.add(offset);

        assertThat(log.read(0, 0, 3, collect)).isEqualTo(3);
        assertThat(log.read(0, 3, 0, collect)).isEqualTo(3);
        assertThat(log.read(0, 3, 100, collect)).isEqualTo(10);
        assertThat(log.read(0, 10, 100, collect)).isEqualTo(10);

        assertThat(offsets).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
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
            List<Rec> got = new ArrayList<>();
            long next = log.read(0, from, 5, (offset, kind, epoch, arrival, buf, off, len) ->
                    got.add(new Rec(offset, kind, epoch, arrival, new String(buf, off, len, ISO_8859_1))));
            assertThat(got).isEqualTo(all.subList(from, (int) next));
            assertThat(next).isEqualTo(Math.min(from + 5, all.size()));
        }
    }

    @Test
    public void when_readStartsOutsideTheDurableRecords_then_itIsRejected() throws Exception {
        EventLog log = track(open(1, () -> 0));
        await(log.append(0, null, List.of(bytes("a"))));
        EventLog.RecordConsumer ignore = (offset, kind, epoch, arrival, buf, off, len) -> { };

        assertThatThrownBy(() -> log.read(0, 2, 10, ignore)).isInstanceOf(IllegalArgumentException.class);
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
        assertThat(await(again.append(1, null, List.of(bytes("next"))))).isEqualTo(20);
    }

    @Test
    public void when_logIsClosed_then_pendingAppendsAreAcknowledgedAndLaterAppendsFail() throws Exception {
        EventLog log = track(open(1, () -> 0));
        List<CompletableFuture<Long>> pending = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            pending.add(log.append(0, null, List.of(bytes("r" + i))));
        }

        log.close();

        for (int i = 0; i < pending.size(); i++) {
            assertThat(pending.get(i)).isCompletedWithValue((long) i);
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

        log.deleteBefore(0, 12);

        assertThat(log.startOffset(0)).isBetween(0L, 12L);
        assertThat(readAll(log, 0, 12)).isEqualTo(all.subList(12, 20));
        assertThat(readAll(log, 0, log.startOffset(0))).isEqualTo(all.subList((int) log.startOffset(0), 20));
        assertThatThrownBy(() -> log.deleteBefore(0, 21)).isInstanceOf(IllegalArgumentException.class);
    }

    private static byte[] allByteValues() {
        byte[] all = new byte[256];
        for (int i = 0; i < all.length; i++) {
            all[i] = (byte) i;
        }
        return all;
    }
}
