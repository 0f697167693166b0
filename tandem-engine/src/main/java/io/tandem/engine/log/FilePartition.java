package io.tandem.engine.log;

import io.tandem.engine.durable.Durable;
import io.tandem.engine.durable.StorageFullException;
import io.tandem.spi.log.EventLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

import static io.tandem.engine.log.RecordFormat.ARRIVAL;
import static io.tandem.engine.log.RecordFormat.HEADER;
import static io.tandem.engine.log.RecordFormat.KIND;
import static io.tandem.engine.log.RecordFormat.LENGTH;
import static io.tandem.engine.log.RecordFormat.OFFSET;
import static io.tandem.engine.log.RecordFormat.REMAINING;
import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.CREATE_NEW;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.TRUNCATE_EXISTING;
import static java.nio.file.StandardOpenOption.WRITE;

/**
 * One partition of a {@link FileEventLog}: its segments, its writer, its flusher thread and its readers' cursors.
 *
 * <p>Appenders write under {@link #lock} and register a {@link Waiter}; the flusher fsyncs the active segment
 * outside the lock, then publishes {@link #durableEnd} and completes the waiters it covers. Rolling to a new
 * segment fsyncs the old one first, so every segment but the last is complete and durable.
 *
 * <p>Offsets lost to damage are never given again: a cut tail leaves the offsets its bytes could hold unused (the
 * next segment starts after them), and damage that a read finds in a sealed segment is cut out of it, its intact
 * units after the damage moving to a segment of their own. Readers go on past the offsets between segments.
 */
final class FilePartition {

    private static final Logger LOG = LoggerFactory.getLogger(FileEventLog.class);
    private static final int KEPT_WRITE_BUFFER_BYTES = 1 << 20;
    private static final int POOLED_CURSORS = 2;

    private final String name;
    private final Path dir;
    private final long epochMs;
    private final LongSupplier clockMs;
    private final FileEventLog.Options options;
    private final ChannelOpener opener;
    private final ConcurrentSkipListMap<Long, Segment> segments;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition written = lock.newCondition();
    private final CRC32C writeCrc = new CRC32C();
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
    private ByteBuffer writeBuffer = ByteBuffer.allocateDirect(64 << 10);
    private Segment active;
    private long writePos;
    private long writtenEnd;
    /** The arrival time of the last record written: appends never stamp an earlier one. */
    private long lastArrivalMs;
    private boolean closing;
    private volatile Throwable failure;

    private volatile long durableEnd;
    private volatile long startOffset;
    /** Held to remove segments (retention) and to cut damage out of one. */
    private final Object retention = new Object();
    private final List<FileEventLog.Loss> losses = new CopyOnWriteArrayList<>();
    private final ReadCursor.Damage damage = new SealedDamage();
    private final ArrayDeque<ReadCursor> cursors = new ArrayDeque<>();
    private final Thread flusher;

    private FilePartition(String name, Path dir, long epochMs, LongSupplier clockMs, FileEventLog.Options options,
                          ChannelOpener opener, ConcurrentSkipListMap<Long, Segment> segments, Tail tail) {
        this.name = name;
        this.dir = dir;
        this.epochMs = epochMs;
        this.clockMs = clockMs;
        this.options = options;
        this.opener = opener;
        this.segments = segments;
        this.active = segments.lastEntry().getValue();
        this.writtenEnd = tail.end;
        this.durableEnd = tail.end;
        this.lastArrivalMs = tail.lastArrivalMs;
        this.startOffset = segments.firstKey();
        if (tail.loss != null) {
            losses.add(tail.loss);
        }
        this.flusher = new Thread(this::flushLoop, "tandem-log-flush-" + name);
        flusher.setDaemon(true);
    }

    /** Opens (creating when absent) and recovers the partition in {@code dir}, and starts its flusher. */
    static FilePartition open(String name, Path dir, long epochMs, LongSupplier clockMs, FileEventLog.Options options,
                              ChannelOpener opener) throws IOException {
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir);
            FileEventLog.fsyncDirectory(dir.getParent());
        }
        List<Long> bases;
        try (Stream<Path> files = Files.list(dir)) {
            bases = files.map(f -> Segment.baseOf(f.getFileName().toString())).filter(b -> b >= 0).sorted().toList();
        }
        ConcurrentSkipListMap<Long, Segment> segments = new ConcurrentSkipListMap<>();
        try {
            for (int i = 0; i < bases.size(); i++) {
                Path path = dir.resolve(Segment.fileName(bases.get(i)));
                FileChannel channel = i == bases.size() - 1 ? opener.open(path, READ, WRITE) : opener.open(path, READ);
                segments.put(bases.get(i), new Segment(bases.get(i), path, channel));
            }
            if (segments.isEmpty()) {
                Segment first = create(dir, 0, opener);
                segments.put(0L, first);
            }
            Tail tail = recover(name, dir, opener, segments);
            FilePartition partition = new FilePartition(name, dir, epochMs, clockMs, options, opener, segments, tail);
            partition.writePos = partition.active.channel.size();
            partition.flusher.start();
            return partition;
        } catch (IOException | RuntimeException e) {
            for (Segment s : segments.values()) {
                closeQuietly(s, e);
            }
            throw e;
        }
    }

    /**
     * Scans the last segment and cuts it after its last complete unit: a torn or corrupt record and everything
     * after it go, and so do the records of a unit whose last record is missing. A damaged record (not merely cut
     * short) has the range from its unit on copied aside first ({@link #quarantine}), and since readers may have
     * seen the records cut, a new empty segment then starts after every offset the cut bytes could hold, so that
     * no offset is given twice.
     *
     * @return the offset after the last record kept, that record's arrival time, and the offsets lost
     */
    private static Tail recover(String name, Path dir, ChannelOpener opener,
                                ConcurrentSkipListMap<Long, Segment> segments) throws IOException {
        Segment segment = segments.lastEntry().getValue();
        FileChannel channel = segment.channel;
        long size = channel.size();
        ChunkReader reader = new ChunkReader(1 << 20);
        reader.reset(channel);
        CRC32C crc = new CRC32C();
        long pos = 0;
        long off = segment.base;
        long keptPos = 0;
        long keptEnd = off;
        long keptArrival = Long.MIN_VALUE;
        int expectedRemaining = -1;
        FileEventLog.Loss loss = null;
        String problem = null;
        boolean damaged = false;
        while (pos < size && problem == null) {
            int at = reader.at(pos, HEADER);
            if (at < 0) {
                problem = "a record header cut short";
                continue;
            }
            ByteBuffer buf = reader.buffer();
            int length = buf.getInt(at + LENGTH);
            if (length < 0 || length > FileEventLog.MAX_UNIT_BYTES) {
                problem = "a bad payload length " + length;
                damaged = true;
                continue;
            }
            if (length > size - pos - HEADER) {
                problem = "a record cut short (" + (size - pos) + " of " + (HEADER + length) + " bytes)";
                continue;
            }
            at = reader.at(pos, HEADER + length);
            buf = reader.buffer();
            int remaining = buf.getInt(at + REMAINING);
            if (!RecordFormat.crcMatches(buf, at, length, crc)) {
                problem = "a CRC mismatch";
                damaged = true;
            } else if (buf.getLong(at + OFFSET) != off) {
                problem = "offset " + buf.getLong(at + OFFSET) + " where " + off + " was expected";
                damaged = true;
            } else if (!RecordFormat.validKind(buf.get(at + KIND))) {
                problem = "an unknown kind " + buf.get(at + KIND);
                damaged = true;
            } else if (remaining < 0 || expectedRemaining >= 0 && remaining != expectedRemaining) {
                problem = "a unit count of " + remaining + " where " + expectedRemaining + " was expected";
                damaged = true;
            } else {
                pos += HEADER + length;
                off++;
                if (remaining == 0) {
                    keptPos = pos;
                    keptEnd = off;
                    keptArrival = buf.getLong(at + ARRIVAL);
                }
                expectedRemaining = remaining - 1;
            }
        }
        if (keptPos < size) {
            if (problem == null) {
                problem = "a unit missing its last " + (expectedRemaining + 1) + " record(s)";
            }
            if (damaged || intactRecordAfter(reader, pos, size, off, crc)) {
                Path aside = quarantine(segment, keptPos, size);
                long next = keptEnd + (size - keptPos) / HEADER;
                segments.put(next, create(dir, next, opener));
                LOG.error("{}: recovery found {} at byte {} of {}: the damaged range, bytes {} to {}, is moved to {};"
                        + " the partition now ends at offset {}; offsets {} to {} (at most, what those bytes could"
                        + " hold) are lost, and new records are numbered from {}", name, problem, pos, segment,
                        keptPos, size, aside, keptEnd, keptEnd, next - 1, next);
                loss = new FileEventLog.Loss(keptEnd, next, "found at start: " + problem + " at byte " + pos + " of "
                        + segment + "; bytes " + keptPos + " to " + size + " are moved to " + aside);
            } else {
                LOG.warn("{}: recovery found {} at byte {} of {} and truncated it from {} to {} bytes; the partition"
                        + " now ends at offset {}", name, problem, pos, segment, size, keptPos, keptEnd);
            }
            channel.truncate(keptPos);
            channel.force(true);
        }
        if (keptEnd == segment.base) {
            keptEnd = segments.firstKey();
            for (Map.Entry<Long, Segment> e = segments.lowerEntry(segment.base); e != null;
                 e = segments.lowerEntry(e.getKey())) {
                long[] last = lastRecord(e.getValue());
                if (last != null) {
                    keptEnd = last[0];
                    keptArrival = last[1];
                    break;
                }
            }
        }
        return new Tail(keptEnd, keptArrival, loss);
    }

    /**
     * The offset after the last record of a sealed segment and that record's arrival time, found by following the
     * record lengths; null when the segment holds no record.
     */
    private static long[] lastRecord(Segment segment) throws IOException {
        ChunkReader reader = new ChunkReader(1 << 20);
        reader.reset(segment.channel);
        long pos = 0;
        long off = segment.base;
        long arrival = Long.MIN_VALUE;
        for (int at = reader.at(pos, HEADER); at >= 0 && reader.buffer().getLong(at + OFFSET) == off;
             at = reader.at(pos, HEADER)) {
            arrival = reader.buffer().getLong(at + ARRIVAL);
            pos += HEADER + reader.buffer().getInt(at + LENGTH);
            off++;
        }
        return off == segment.base ? null : new long[] {off, arrival};
    }

    /**
     * Whether an intact record of an offset after {@code off} starts somewhere after byte {@code pos}: then what
     * looked like a record cut short at {@code pos} (a length running past the end) is damage, not a torn tail,
     * which has nothing intact after it. Tries every position; recovery calls it only when it cuts something.
     */
    private static boolean intactRecordAfter(ChunkReader reader, long pos, long size, long off, CRC32C crc)
            throws IOException {
        for (long at = pos + 1; at + HEADER <= size; at++) {
            int i = reader.at(at, HEADER);
            ByteBuffer buf = reader.buffer();
            int length = buf.getInt(i + LENGTH);
            long offset = buf.getLong(i + OFFSET);
            if (length < 0 || length > size - at - HEADER || offset <= off || offset > off + (size - pos) / HEADER) {
                continue;
            }
            i = reader.at(at, HEADER + length);
            if (RecordFormat.crcMatches(reader.buffer(), i, length, crc)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Copies bytes {@code [from, to)} of the segment, which recovery is about to cut off as damaged, to
     * {@code <segment>.damaged-<from>} next to it (never read as a segment), fsynced, so that nothing is thrown away.
     */
    private static Path quarantine(Segment segment, long from, long to) throws IOException {
        Path aside = segment.path.resolveSibling(segment.path.getFileName() + ".damaged-" + from);
        try (FileChannel out = FileChannel.open(aside, CREATE, TRUNCATE_EXISTING, WRITE)) {
            for (long at = from; at < to; ) {
                at += segment.channel.transferTo(at, to - at, out);
            }
            out.force(true);
        }
        FileEventLog.fsyncDirectory(aside.getParent());
        return aside;
    }

    /**
     * Cuts damage that a read found out of a sealed segment: the damaged range, from the damaged record to the
     * first unit after it that is provably whole, is copied aside ({@link #quarantine}); the units from there to
     * the end of the segment are copied to a new segment starting at their first offset; then the segment is cut
     * at the damaged record. A crash in between leaves the damage in place to be found again.
     */
    private final class SealedDamage implements ReadCursor.Damage {

        @Override
        public void quarantine(Segment segment, long offset, long filePos, long unitEnd, String problem)
                throws IOException {
            synchronized (retention) {
                long size = segment.channel.size();
                if (segment.deleted || size <= filePos) {
                    return;
                }
                long nextBase = segments.higherKey(segment.base);
                long[] resume = resumeAfter(segment, offset, filePos, size, nextBase, unitEnd);
                long to = resume == null ? size : resume[0];
                long lostTo = resume == null ? nextBase : resume[1];
                Path aside = FilePartition.quarantine(segment, filePos, to);
                if (resume != null && !segments.containsKey(lostTo)) {
                    split(segment, to, size, lostTo);
                }
                try (FileChannel cut = FileChannel.open(segment.path, WRITE)) {
                    cut.truncate(filePos);
                    cut.force(true);
                }
                LOG.error("{}: a read found {}: bytes {} to {}, from the unit at offset {} on, are moved to {}; "
                        + "offsets {} to {} are lost, and readers go on at offset {}", name, problem, filePos, to,
                        offset, aside, offset, lostTo - 1, lostTo);
                losses.add(new FileEventLog.Loss(offset, lostTo, "found on read: " + problem + "; bytes " + filePos
                        + " to " + to + " are moved to " + aside));
            }
        }

        @Override
        public void skipped(Segment segment, long from, long to) {
            synchronized (retention) {
                if (losses.stream().anyMatch(l -> l.from() <= from && from < l.to())) {
                    return;
                }
                LOG.warn("{}: {} ends at offset {} and the next segment starts at {}: offsets {} to {} were lost to "
                        + "damage found before (see the .damaged-* files next to it)", name, segment, from, to, from,
                        to - 1);
                losses.add(new FileEventLog.Loss(from, to, "missing: " + segment + " ends at offset " + from
                        + " and the next segment starts at " + to + " (damage found before; see the .damaged-* "
                        + "files next to it)"));
            }
        }

        /** Copies bytes {@code [from, to)} of the segment to a new sealed segment starting at {@code base}. */
        private void split(Segment segment, long from, long to, long base) throws IOException {
            Path path = dir.resolve(Segment.fileName(base));
            Path temp = Durable.tempFor(path);
            try (FileChannel out = FileChannel.open(temp, CREATE, TRUNCATE_EXISTING, WRITE)) {
                for (long at = from; at < to; ) {
                    at += segment.channel.transferTo(at, to - at, out);
                }
            }
            Durable.publish(temp, path);
            segments.put(base, new Segment(base, path, opener.open(path, READ)));
        }
    }

    /**
     * Where reading goes on after the damaged unit at offset {@code offset}, byte {@code pos}: at the first unit
     * after it that provably starts where it is found. That is the record of {@code unitEnd} (the offset after the
     * damaged unit, when a record of it said so; -1 otherwise), or else the record after the unit of the first
     * intact record found after the damage, whose own start cannot be known. Tries every position, as a damaged
     * length says nothing of where the next record starts.
     *
     * @return the file position and the offset of that record, or null when the segment holds no such unit
     */
    private static long[] resumeAfter(Segment segment, long offset, long pos, long size, long nextBase, long unitEnd)
            throws IOException {
        ChunkReader reader = new ChunkReader(1 << 20);
        reader.reset(segment.channel);
        CRC32C crc = new CRC32C();
        for (long at = pos + 1; at + HEADER <= size; at++) {
            int i = intactRecord(reader, at, size, crc);
            long off = i < 0 ? -1 : reader.buffer().getLong(i + OFFSET);
            if (off <= offset || off >= nextBase) {
                continue;
            }
            if (off == unitEnd) {
                return new long[] {at, off};
            }
            long p = at;
            long o = off;
            int remaining = 1;
            while (remaining > 0 && (i = intactRecord(reader, p, size, crc)) >= 0
                    && reader.buffer().getLong(i + OFFSET) == o) {
                remaining = reader.buffer().getInt(i + REMAINING);
                p += HEADER + reader.buffer().getInt(i + LENGTH);
                o++;
            }
            if (remaining == 0) {
                return p < size && o < nextBase ? new long[] {p, o} : null;
            }
        }
        return null;
    }

    /** The buffer index of the record at {@code at} when its length fits the file and its CRC and kind are good. */
    private static int intactRecord(ChunkReader reader, long at, long size, CRC32C crc) throws IOException {
        int i = reader.at(at, HEADER);
        if (i < 0) {
            return -1;
        }
        int length = reader.buffer().getInt(i + LENGTH);
        if (length < 0 || length > size - at - HEADER) {
            return -1;
        }
        i = reader.at(at, HEADER + length);
        ByteBuffer buf = reader.buffer();
        return RecordFormat.crcMatches(buf, i, length, crc) && RecordFormat.validKind(buf.get(i + KIND)) ? i : -1;
    }

    /** The offsets lost to damage found in this process, in the order found. */
    List<FileEventLog.Loss> losses() {
        return List.copyOf(losses);
    }

    /**
     * Where a recovered partition ends, the arrival time of its last record (MIN_VALUE when it has none), and the
     * offsets recovery found lost (null when none).
     */
    private record Tail(long end, long lastArrivalMs, FileEventLog.Loss loss) {
    }

    /** A new empty segment; when its folder cannot be made durable, it is removed again, so a later try may. */
    private static Segment create(Path dir, long base, ChannelOpener opener) throws IOException {
        Path path = dir.resolve(Segment.fileName(base));
        Segment segment = new Segment(base, path, opener.open(path, CREATE_NEW, READ, WRITE));
        try {
            FileEventLog.fsyncDirectory(dir);
        } catch (IOException e) {
            closeQuietly(segment, e);
            Files.deleteIfExists(path);
            throw e;
        }
        return segment;
    }

    CompletableFuture<Long> append(byte[] kinds, List<byte[]> payloads, int unitBytes) {
        List<Waiter> failed = List.of();
        RuntimeException error = null;
        lock.lock();
        try {
            if (closing) {
                return CompletableFuture.failedFuture(new IllegalStateException(name + " is closed"));
            }
            if (failure != null) {
                return CompletableFuture.failedFuture(new IllegalStateException(
                        name + " refuses appends since a write or fsync failed: " + failure, failure));
            }
            long arrivalMs = Math.max(clockMs.getAsLong(), lastArrivalMs);
            lastArrivalMs = arrivalMs;
            long epoch = Math.floorDiv(arrivalMs, epochMs);
            // after a cut, the active segment starts past the end: numbering goes on from its base
            long first = Math.max(writtenEnd, active.base);
            ByteBuffer buf = writeBuffer(unitBytes);
            int n = payloads.size();
            for (int i = 0; i < n; i++) {
                byte kind = kinds == null ? EventLog.EVENT : kinds[i];
                RecordFormat.put(buf, writeCrc, first + i, kind, epoch, arrivalMs, n - 1 - i, payloads.get(i));
            }
            buf.flip();
            try {
                if (writePos > 0 && writePos + unitBytes > options.segmentBytes()) {
                    roll(first);
                }
                long pos = writePos;
                while (buf.hasRemaining()) {
                    pos += active.channel.write(buf, pos);
                }
                writePos = pos;
            } catch (IOException | RuntimeException e) {
                String what = "offsets " + first + ".." + (first + n - 1);
                if (e instanceof IOException io && StorageFullException.isFull(io) && undoWrite()) {
                    LOG.warn("{}: no space left on the device of {}; {} were not appended", name, active.path, what);
                    return CompletableFuture.failedFuture(new StorageFullException(active.path, what, io));
                }
                error = new UncheckedIOException(new IOException(name + ": writing " + what + " failed", e));
                failed = failLocked(error);
                return CompletableFuture.failedFuture(error);
            }
            writtenEnd = first + n;
            CompletableFuture<Long> future = new CompletableFuture<>();
            waiters.add(new Waiter(writtenEnd, first, future));
            written.signal();
            return future;
        } finally {
            lock.unlock();
            for (Waiter w : failed) {
                w.future.completeExceptionally(error);
            }
        }
    }

    /**
     * After a write that found the device full: cuts the active segment back to the end of the last unit written,
     * so that what was written of this one goes and the next append starts there. False when that fails too.
     */
    private boolean undoWrite() {
        try {
            if (active.channel.size() > writePos) {
                active.channel.truncate(writePos);
            }
            return true;
        } catch (IOException e) {
            LOG.error("{}: cannot cut {} back to {} bytes after a failed write", name, active, writePos, e);
            return false;
        }
    }

    private ByteBuffer writeBuffer(int bytes) {
        if (bytes <= writeBuffer.capacity()) {
            return writeBuffer.clear();
        }
        ByteBuffer bigger = ByteBuffer.allocateDirect(bytes);
        if (bytes <= KEPT_WRITE_BUFFER_BYTES) {
            writeBuffer = bigger;
        }
        return bigger;
    }

    /** Makes the active segment durable and starts a new one at {@code base}; called under the lock. */
    private void roll(long base) throws IOException {
        active.channel.force(false);
        Segment next = create(dir, base, opener);
        segments.put(base, next);
        active = next;
        writePos = 0;
    }

    /**
     * Group commit: fsyncs whatever was written since the last round, then acknowledges it. The durable end moves
     * under the lock, so a failure that failed the waiters meanwhile also keeps their records invisible.
     */
    private void flushLoop() {
        while (true) {
            long target;
            FileChannel channel;
            lock.lock();
            try {
                while (writtenEnd == durableEnd && !closing && failure == null) {
                    written.await(options.maxFlushDelayMs(), TimeUnit.MILLISECONDS);
                }
                if (failure != null || writtenEnd == durableEnd) {
                    return;
                }
                target = writtenEnd;
                channel = active.channel;
            } catch (InterruptedException e) {
                fail(new IllegalStateException(name + ": flusher interrupted", e));
                return;
            } finally {
                lock.unlock();
            }
            try {
                channel.force(false);
            } catch (IOException | RuntimeException e) {
                fail(new UncheckedIOException(new IOException(name + ": fsync failed; offsets from " + durableEnd
                        + " to " + (target - 1) + " are not durable", e)));
                return;
            }
            List<Waiter> done = new ArrayList<>();
            lock.lock();
            try {
                if (failure != null) {
                    return;
                }
                durableEnd = target;
                while (!waiters.isEmpty() && waiters.peek().end <= target) {
                    done.add(waiters.poll());
                }
            } finally {
                lock.unlock();
            }
            for (Waiter w : done) {
                w.future.complete(w.first);
            }
        }
    }

    /** Marks the partition failed and fails every future not yet acknowledged. */
    private void fail(RuntimeException error) {
        List<Waiter> failed;
        lock.lock();
        try {
            failed = failLocked(error);
        } finally {
            lock.unlock();
        }
        failed.forEach(w -> w.future.completeExceptionally(error));
    }

    private List<Waiter> failLocked(RuntimeException error) {
        if (failure == null) {
            LOG.error("{} failed; it refuses further appends", name, error);
            failure = error;
        }
        List<Waiter> failed = new ArrayList<>(waiters);
        waiters.clear();
        written.signal();
        return failed;
    }

    long durableEnd() {
        return durableEnd;
    }

    long startOffset() {
        return startOffset;
    }

    long read(long from, int maxRecords, EventLog.RecordConsumer consumer) {
        long end = durableEnd;
        if (from < startOffset || from > end) {
            throw new IllegalArgumentException("offset " + from + " is outside [" + startOffset + ", " + end
                    + "], the durable records of " + name);
        }
        if (maxRecords < 0) {
            throw new IllegalArgumentException("maxRecords: expected >= 0, got " + maxRecords);
        }
        if (from == end || maxRecords == 0) {
            return from;
        }
        ReadCursor cursor = takeCursor(from);
        try {
            return cursor.read(from, end, maxRecords, consumer);
        } catch (IOException e) {
            throw new UncheckedIOException(name + ": reading from offset " + from + " failed", e);
        } finally {
            giveCursor(cursor);
        }
    }

    /** A pooled cursor already at {@code from} when there is one, else any pooled one, else a new one. */
    private ReadCursor takeCursor(long from) {
        synchronized (cursors) {
            for (ReadCursor c : cursors) {
                if (c.nextOffset() == from) {
                    cursors.remove(c);
                    return c;
                }
            }
            ReadCursor any = cursors.poll();
            return any != null ? any : new ReadCursor(segments, name, damage);
        }
    }

    private void giveCursor(ReadCursor cursor) {
        synchronized (cursors) {
            if (cursors.size() < POOLED_CURSORS) {
                cursors.push(cursor);
            }
        }
    }

    void deleteBefore(long offset) {
        if (offset > durableEnd) {
            throw new IllegalArgumentException("offset " + offset + " is after the durable end " + durableEnd
                    + " of " + name);
        }
        synchronized (retention) {
            Map.Entry<Long, Segment> first = segments.firstEntry();
            Map.Entry<Long, Segment> next = segments.higherEntry(first.getKey());
            while (next != null && next.getKey() <= offset) {
                Segment old = first.getValue();
                segments.remove(old.base);
                startOffset = next.getKey();
                old.deleted = true;
                try {
                    old.close();
                    Files.delete(old.path);
                } catch (IOException e) {
                    throw new UncheckedIOException(name + ": deleting " + old + " failed", e);
                }
                LOG.debug("{}: deleted {}; the partition now starts at offset {}", name, old, startOffset);
                first = next;
                next = segments.higherEntry(first.getKey());
            }
        }
    }

    /** Stops appends: the flusher makes everything written durable, acknowledges it and ends. */
    void beginClose() {
        lock.lock();
        try {
            closing = true;
            written.signal();
        } finally {
            lock.unlock();
        }
    }

    /** Waits for the flusher's last round, then closes the segment files. */
    void finishClose() throws IOException, InterruptedException {
        flusher.join();
        IOException error = null;
        for (Segment s : segments.values()) {
            try {
                s.close();
            } catch (IOException e) {
                if (error == null) {
                    error = e;
                } else {
                    error.addSuppressed(e);
                }
            }
        }
        if (error != null) {
            throw error;
        }
    }

    private static void closeQuietly(Segment s, Exception cause) {
        try {
            s.close();
        } catch (IOException e) {
            cause.addSuppressed(e);
        }
    }

    /** An append waiting for the durable end to reach {@code end}. */
    private record Waiter(long end, long first, CompletableFuture<Long> future) {
    }
}
