package io.tandem.engine.log;

import io.tandem.spi.log.EventLog;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.stream.Stream;

import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;

/**
 * The embedded {@link EventLog} of one stream: per partition, a directory of segment files with a CRC per record
 * and group-commit fsync.
 *
 * <h2>Files</h2>
 * <pre>
 * dir/.lock                            locked while a process has the log open
 * dir/0/00000000000000000000.log       partition 0, first segment: named after its first (base) offset
 * dir/0/00000000000000052114.log       the next segment, started when the previous one reached segmentBytes
 * dir/1/...
 * </pre>
 * A segment is a sequence of records, nothing else. The records of one {@link #append} call (a unit) are written
 * together and never span two segments; a unit bigger than {@code segmentBytes} gets a segment of its own.
 *
 * <h2>Record</h2>
 * Big-endian; the CRC is CRC32C ({@link java.util.zip.CRC32C}) of bytes 8 to the end of the payload.
 * <pre>
 * +------+------+-----------+------------------------------------------------------------------+
 * | byte | size | field     | content                                                          |
 * +------+------+-----------+------------------------------------------------------------------+
 * |    0 |    4 | length    | payload length in bytes (i32, not negative)                      |
 * |    4 |    4 | crc       | CRC32C of bytes 8 .. 37 + length (u32)                           |
 * |    8 |    8 | offset    | the record's offset in its partition (i64)                       |
 * |   16 |    1 | kind      | EventLog.EVENT (0) or EventLog.MARKER (1)                        |
 * |   17 |    8 | epoch     | floorDiv(arrival, epochMs) (i64)                                 |
 * |   25 |    8 | arrival   | ms since 1970 (i64): max(clock, previous arrival), once per unit |
 * |   33 |    4 | remaining | records of the same unit after this one (i32); 0 ends the unit   |
 * |   37 |  len | payload   | the bytes given to append                                        |
 * +------+------+-----------+------------------------------------------------------------------+
 * </pre>
 *
 * <h2>Durability</h2>
 * An append writes its unit with one positional write under the partition's lock; the partition's flusher thread
 * then fsyncs ({@code FileChannel.force(false)}) everything written so far, publishes the new {@link #durableEnd}
 * and completes the futures it covers, in offset order. Appends made while an fsync runs share the next one
 * (group commit). The flusher starts an fsync as soon as an append signals it; {@code maxFlushDelayMs} bounds how
 * long it sleeps between checks for pending data. Dependent stages of the returned futures run on the flusher
 * unless they are {@code *Async}: keep them short. Rolling to a new segment fsyncs the old one first, so every
 * segment but the last is complete and durable.
 *
 * <p>If a write or an fsync fails, every future not yet acknowledged on that partition fails and the partition
 * refuses further appends until the log is reopened. Failed records are never readable in this process; after a
 * restart, units that did reach the disk intact may reappear (a failure means "not acknowledged", not "absent"),
 * which is why requests carry idempotency markers.
 *
 * <h2>Recovery</h2>
 * {@link #open} scans the last segment of every partition and cuts it after the last complete unit: at the first
 * record that is cut short, has a bad length, a CRC mismatch, an unexpected offset, kind or unit count, everything
 * from there on goes, and if the records before it end inside a unit ({@code remaining > 0}), that unit's records
 * go too. The truncation is fsynced and logged. The last record kept gives the arrival time that later appends
 * never go below (when the last segment is empty, the record before it is read from the previous segment). A
 * damaged range (not merely a torn tail, which no reader ever saw) is first copied aside to
 * {@code <segment>.damaged-<byte>}, and an empty segment is started after every offset its bytes could hold (one
 * per {@value RecordFormat#HEADER} bytes): readers may have seen the records cut, so their offsets are never given
 * again (an alert on an event is known by its offset). The durable end stays after the last record kept until the
 * next append.
 *
 * <p>Older segments are not scanned at open (that would read every byte of the log at every start); their CRCs are
 * checked on every read. Damage a read finds in one is cut out: the range from the damaged record to the first
 * unit after it that is provably whole is copied aside to {@code <segment>.damaged-<byte>}, the units after that
 * move to a new segment named after their first offset, and the segment is cut at the damaged record. Readers then
 * go on past the offsets lost, as they do past any offsets between the end of a segment and the base of the next
 * one; {@link #losses} lists them. Damage in the last segment (written in this process) fails the read.
 *
 * <h2>Threads</h2>
 * Appends may come from any number of threads. Reads are made for a thread per partition reading forward: each
 * read continues from a cursor left by the previous one (a read elsewhere scans its segment from the start), and
 * hands payloads to the consumer inside a 1 MiB read buffer, without copying. A partition keeps two idle cursors,
 * so two readers at different offsets (the hot path and the lake writer) each keep their place; concurrent reads
 * are safe.
 */
public final class FileEventLog implements EventLog {

    /** The largest unit, headers included, that one append may write. */
    static final int MAX_UNIT_BYTES = Integer.MAX_VALUE - 64;

    /** The directories of the logs open in this process (a file lock does not exclude its own process). */
    private static final Set<Path> OPEN_DIRS = ConcurrentHashMap.newKeySet();

    private final Path dir;
    private final FilePartition[] partitions;
    private final FileChannel lockFile;
    private final FileLock lock;
    private volatile boolean closed;

    /**
     * Tuning of a {@link FileEventLog}.
     *
     * @param segmentBytes    size at which a partition starts a new segment file
     * @param maxFlushDelayMs longest sleep of a flusher between checks for data to fsync (appends wake it at once)
     */
    public record Options(long segmentBytes, long maxFlushDelayMs) {

        /** Validates the options. */
        public Options {
            if (segmentBytes < RecordFormat.HEADER) {
                throw new IllegalArgumentException("segmentBytes: expected at least " + RecordFormat.HEADER
                        + ", got " + segmentBytes);
            }
            if (maxFlushDelayMs < 1) {
                throw new IllegalArgumentException("maxFlushDelayMs: expected at least 1, got " + maxFlushDelayMs);
            }
        }

        /** 64 MiB segments, flusher checks at least every 10 ms. */
        public static Options defaults() {
            return new Options(64L << 20, 10);
        }
    }

    private FileEventLog(Path dir, FilePartition[] partitions, FileChannel lockFile, FileLock lock) {
        this.dir = dir;
        this.partitions = partitions;
        this.lockFile = lockFile;
        this.lock = lock;
    }

    /**
     * Opens the log in {@code dir}, creating it when absent, and recovers every partition (see the class comment).
     *
     * @param partitions number of partitions; must match the partitions on disk when the log exists
     * @param epochMs    length of an epoch: a record's epoch is {@code floorDiv(arrivalMs, epochMs)}
     * @param clockMs    source of arrival times, read once per append
     * @throws IllegalStateException when another log object, in this process or another, has {@code dir} open
     */
    public static FileEventLog open(Path dir, int partitions, long epochMs, LongSupplier clockMs, Options options)
            throws IOException {
        return open(dir, partitions, epochMs, clockMs, options, ChannelOpener.DEFAULT);
    }

    static FileEventLog open(Path dir, int partitions, long epochMs, LongSupplier clockMs, Options options,
                             ChannelOpener opener) throws IOException {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions: expected at least 1, got " + partitions);
        }
        if (epochMs < 1) {
            throw new IllegalArgumentException("epochMs: expected at least 1, got " + epochMs);
        }
        Files.createDirectories(dir);
        Path real = dir.toRealPath();
        if (!OPEN_DIRS.add(real)) {
            throw new IllegalStateException("log " + dir + " is already open in this process");
        }
        FilePartition[] opened = new FilePartition[partitions];
        FileChannel lockFile = null;
        try {
            lockFile = FileChannel.open(real.resolve(".lock"), CREATE, READ, WRITE);
            FileLock lock = lockFile.tryLock();
            if (lock == null) {
                throw new IllegalStateException("log " + dir + " is open in another process");
            }
            checkNoPartitionBeyond(real, partitions);
            for (int p = 0; p < partitions; p++) {
                String name = "partition " + p + " of log " + dir;
                opened[p] = FilePartition.open(name, real.resolve(Integer.toString(p)), epochMs, clockMs, options,
                        opener);
            }
            return new FileEventLog(real, opened, lockFile, lock);
        } catch (IOException | RuntimeException e) {
            closeAll(opened, e);
            if (lockFile != null) {
                lockFile.close();
            }
            OPEN_DIRS.remove(real);
            throw e;
        }
    }

    private static void checkNoPartitionBeyond(Path dir, int partitions) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            entries.filter(Files::isDirectory)
                    .map(d -> d.getFileName().toString())
                    .filter(n -> n.matches("\\d{1,9}") && Integer.parseInt(n) >= partitions)
                    .findFirst()
                    .ifPresent(n -> {
                        throw new IllegalArgumentException("partitions: log " + dir + " has a partition " + n
                                + ", so it cannot be opened with " + partitions + " partitions");
                    });
        }
    }

    private static void closeAll(FilePartition[] opened, Exception cause) {
        for (FilePartition p : opened) {
            if (p != null) {
                p.beginClose();
                try {
                    p.finishClose();
                } catch (IOException | InterruptedException e) {
                    cause.addSuppressed(e);
                }
            }
        }
    }

    /** Makes a directory's entries (created or renamed files) durable. */
    static void fsyncDirectory(Path directory) throws IOException {
        try (FileChannel d = FileChannel.open(directory, READ)) {
            d.force(true);
        }
    }

    /**
     * Offsets {@code [from, to)} of a partition that no reader gets, their records having been damaged.
     *
     * @param reason where the damage was found and where its bytes were moved
     */
    public record Loss(long from, long to, String reason) {
    }

    /**
     * The offsets of the partition lost to damage that this process found or read past, in the order found: a
     * damaged tail cut at open, damage a read found in a sealed segment, and the offsets between segments that an
     * earlier process cut out.
     */
    public List<Loss> losses(int partition) {
        return partition(partition).losses();
    }

    @Override
    public int partitions() {
        return partitions.length;
    }

    @Override
    public CompletableFuture<Long> append(int partition, byte[] kinds, List<byte[]> payloads) {
        FilePartition p = partition(partition);
        if (payloads == null || payloads.isEmpty()) {
            throw new IllegalArgumentException("payloads: expected at least one record, got none");
        }
        if (kinds != null && kinds.length != payloads.size()) {
            throw new IllegalArgumentException("kinds: expected one per payload (" + payloads.size() + "), got "
                    + kinds.length);
        }
        long bytes = 0;
        for (int i = 0; i < payloads.size(); i++) {
            if (payloads.get(i) == null) {
                throw new IllegalArgumentException("payloads[" + i + "]: expected bytes, got null");
            }
            if (kinds != null && !RecordFormat.validKind(kinds[i])) {
                throw new IllegalArgumentException("kinds[" + i + "]: expected EVENT (0) or MARKER (1), got "
                        + kinds[i]);
            }
            bytes += RecordFormat.HEADER + payloads.get(i).length;
        }
        if (bytes > MAX_UNIT_BYTES) {
            throw new IllegalArgumentException("payloads: a unit may take at most " + MAX_UNIT_BYTES
                    + " bytes with headers, got " + bytes);
        }
        if (closed) {
            return CompletableFuture.failedFuture(new IllegalStateException("log " + dir + " is closed"));
        }
        return p.append(kinds, payloads, (int) bytes);
    }

    @Override
    public long durableEnd(int partition) {
        return partition(partition).durableEnd();
    }

    @Override
    public long startOffset(int partition) {
        return partition(partition).startOffset();
    }

    @Override
    public long read(int partition, long fromOffset, int maxRecords, RecordConsumer consumer) {
        FilePartition p = partition(partition);
        if (closed) {
            throw new IllegalStateException("log " + dir + " is closed");
        }
        return p.read(fromOffset, maxRecords, consumer);
    }

    @Override
    public void deleteBefore(int partition, long offset) {
        FilePartition p = partition(partition);
        if (closed) {
            throw new IllegalStateException("log " + dir + " is closed");
        }
        p.deleteBefore(offset);
    }

    /** Makes every append made so far durable, completes its future, and closes the files. Idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        for (FilePartition p : partitions) {
            p.beginClose();
        }
        IOException error = null;
        try {
            for (FilePartition p : partitions) {
                try {
                    p.finishClose();
                } catch (IOException e) {
                    error = first(error, e);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            error = first(error, new IOException("interrupted while closing log " + dir, e));
        }
        try {
            lock.release();
            lockFile.close();
        } catch (IOException e) {
            error = first(error, e);
        } finally {
            OPEN_DIRS.remove(dir);
        }
        if (error != null) {
            throw new UncheckedIOException("closing log " + dir + " failed", error);
        }
    }

    private static IOException first(IOException error, IOException next) {
        if (error == null) {
            return next;
        }
        error.addSuppressed(next);
        return error;
    }

    private FilePartition partition(int partition) {
        if (partition < 0 || partition >= partitions.length) {
            throw new IllegalArgumentException("partition: expected 0.." + (partitions.length - 1) + ", got "
                    + partition);
        }
        return partitions[partition];
    }

    @Override
    public String toString() {
        return "FileEventLog[" + dir + ", " + partitions.length + " partitions]";
    }
}
