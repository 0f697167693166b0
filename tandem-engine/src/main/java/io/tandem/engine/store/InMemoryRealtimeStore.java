package io.tandem.engine.store;

import io.tandem.core.GroupKey;
import io.tandem.engine.durable.Durable;
import io.tandem.spi.store.IdempotencyRecord;
import io.tandem.spi.store.RealtimeStore;
import io.tandem.spi.store.StateKey;
import io.tandem.spi.view.Catalog;
import io.tandem.spi.view.CompiledView;
import io.tandem.spi.view.GroupKeys;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import java.util.zip.CheckedOutputStream;

/**
 * The embedded real-time store: one in-memory shard per (stream, partition), made durable by periodic
 * checkpoints. After a crash the hot path replays the log from each shard's checkpointed offset.
 *
 * <p>A shard is written by its partition's hot-path thread only, under the shard's write lock once per committed
 * batch; queries and checkpoints take the read lock.
 *
 * <p>Checkpoint file {@code <dir>/<stream>/<partition>.ckpt}, written to a temporary name, fsynced and renamed:
 * <pre>
 * +--------------+-------------+---------------------+----------------------------------------------------+
 * | magic "TCK2" | next offset | view count: i32     | per view: name (UTF), fingerprint (UTF)             |
 * | 4 bytes      | i64         |                     |                                                    |
 * +--------------+-------------+---------------------+----------------------------------------------------+
 * | entry count: i32 | per entry: view (UTF), dims (GroupKeys' binary form), bucket i64, epoch i64, then  |
 * |                  | each measure's accumulator in its own binary form                                  |
 * +------------------+------------------------------------------------------------------------------------+
 * | idempotency count: i32 | per key: IdempotencyRecord's binary form | CRC32C of all bytes before: i64   |
 * +------------------------+------------------------------------------+-----------------------------------+
 * </pre>
 * Version 1 (magic "TCK1") is the same but for its idempotency entries, which end after the response (no request
 * digest: {@link IdempotencyRecord#readWithoutDigest}); it is still read, and the next checkpoint writes version 2.
 * A shard whose checkpoint is missing, damaged, or written under other view definitions starts empty at
 * offset 0, and the hot path rebuilds it from the log; a damaged checkpoint is moved aside to
 * {@code <partition>.ckpt.damaged}, with an error naming it.
 *
 * <p>The hot path replays only what follows a checkpoint, so a listener that keeps its own durable record of the
 * events (the alert history) must have made it durable for every event a checkpoint covers before that checkpoint
 * appears: a shard's checkpoint is published only once its {@link CheckpointGate} lets it.
 */
public final class InMemoryRealtimeStore implements RealtimeStore {

    private static final Logger LOG = LoggerFactory.getLogger(InMemoryRealtimeStore.class);
    private static final int MAGIC = 0x54434B32;
    private static final int MAGIC_V1 = 0x54434B31;
    private static final Pattern CHECKPOINT_FILE = Pattern.compile("(\\d{1,9})\\.ckpt");

    private final Catalog catalog;
    private final Path dir;
    private final Map<String, Shard> shards = new ConcurrentHashMap<>();
    private volatile CheckpointGate gate = (stream, partition, nextOffset) -> true;

    /**
     * @param dir where checkpoints live, or null for a store that never persists (tests, benchmarks)
     */
    public InMemoryRealtimeStore(Catalog catalog, Path dir) {
        this.catalog = catalog;
        this.dir = dir;
        restoreCheckpoints();
    }

    /** Holds each shard's checkpoint until {@code gate} lets it; call before the hot path starts. */
    public void gate(CheckpointGate gate) {
        this.gate = gate;
    }

    /** Loads every checkpoint in {@code dir} now, so that the first query after a restart sees what they hold. */
    private void restoreCheckpoints() {
        if (dir == null) {
            return;
        }
        for (String stream : catalog.config().streams().keySet()) {
            Path streamDir = dir.resolve(stream);
            if (!Files.isDirectory(streamDir)) {
                continue;
            }
            try (Stream<Path> files = Files.list(streamDir)) {
                files.map(f -> CHECKPOINT_FILE.matcher(f.getFileName().toString()))
                        .filter(Matcher::matches)
                        .forEach(m -> shard(stream, Integer.parseInt(m.group(1))));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list the checkpoints in " + streamDir, e);
            }
        }
    }

    /** A (dims, bucket) of one view, whose accumulators a shard keeps per epoch. */
    private record Group(GroupKey dims, long bucket) {
    }

    private static final class Shard {
        final String stream;
        final int partition;
        final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
        /** view → (dims, bucket) → epoch → accumulators. */
        final Map<String, Map<Group, Map<Long, Object[]>>> views = new HashMap<>();
        long entries;
        final Map<String, IdempotencyRecord> idempotency = new HashMap<>();
        long nextOffset;
        long checkpointedOffset = -1;

        Shard(String stream, int partition) {
            this.stream = stream;
            this.partition = partition;
        }

        /** Adds accumulators under a key, merging with what is there; takes ownership of {@code accs}. */
        void put(StateKey k, Object[] accs, CompiledView view) {
            Map<Long, Object[]> epochs = views.computeIfAbsent(k.view(), v -> new HashMap<>())
                    .computeIfAbsent(new Group(k.dims(), k.bucket()), g -> new HashMap<>(4));
            Object[] current = epochs.putIfAbsent(k.epoch(), accs);
            if (current == null) {
                entries++;
            } else {
                view.merge(current, accs);
            }
        }
    }

    private Shard shard(String stream, int partition) {
        return shards.computeIfAbsent(stream + "/" + partition, k -> load(stream, partition));
    }

    @Override
    public long committedOffset(String stream, int partition) {
        Shard s = shard(stream, partition);
        s.lock.readLock().lock();
        try {
            return s.nextOffset;
        } finally {
            s.lock.readLock().unlock();
        }
    }

    /** The only writer of an in-memory shard is the hot path of this process: nothing to fence. */
    /**
     * Forgets the shard's state: it starts empty at offset 0, for the hot path to rebuild from the log, and the next
     * checkpoint replaces the one on disk. For a log that ends before the shard's offset (its damaged tail was moved
     * aside), which would otherwise skip the events appended from its new end.
     */
    public void rebuild(String stream, int partition) {
        shards.put(stream + "/" + partition, new Shard(stream, partition));
    }

    @Override
    public long acquire(String stream, int partition) {
        return committedOffset(stream, partition);
    }

    @Override
    public void commit(String stream, int partition, long nextOffset, Map<StateKey, Object[]> deltas,
                       List<IdempotencyRecord> idempotency) {
        Shard s = shard(stream, partition);
        s.lock.writeLock().lock();
        try {
            for (Map.Entry<StateKey, Object[]> d : deltas.entrySet()) {
                s.put(d.getKey(), d.getValue(), catalog.view(d.getKey().view()));
            }
            for (IdempotencyRecord r : idempotency) {
                s.idempotency.put(r.key(), r);
            }
            s.nextOffset = nextOffset;
        } finally {
            s.lock.writeLock().unlock();
        }
    }

    @Override
    public void scan(String view, long fromBucket, long toBucket, Predicate<GroupKey> dims, Visitor visitor) {
        CompiledView v = catalog.view(view);
        for (Shard s : shards.values()) {
            if (!s.stream.equals(v.stream().name())) {
                continue;
            }
            s.lock.readLock().lock();
            try {
                filter(v, s.views.getOrDefault(view, Map.of()), fromBucket, toBucket, dims, visitor);
            } finally {
                s.lock.readLock().unlock();
            }
        }
    }

    /**
     * Looks the group up bucket by bucket when the range holds fewer buckets than the shard has groups of the view,
     * and filters every group otherwise.
     */
    @Override
    public void scanGroup(String view, GroupKey dims, long fromBucket, long toBucket, Visitor visitor) {
        CompiledView v = catalog.view(view);
        long step = v.def().granularityMs();
        // a range within half the long range on either side, so that neither the span nor its first bucket overflows
        boolean bounded = fromBucket > Long.MIN_VALUE / 2 && toBucket < Long.MAX_VALUE / 2 && toBucket > fromBucket;
        long span = bounded ? (toBucket - fromBucket) / step + 1 : Long.MAX_VALUE;
        long first = bounded ? fromBucket + Math.floorMod(-fromBucket, step) : 0;
        for (Shard s : shards.values()) {
            if (!s.stream.equals(v.stream().name())) {
                continue;
            }
            s.lock.readLock().lock();
            try {
                Map<Group, Map<Long, Object[]>> groups = s.views.getOrDefault(view, Map.of());
                if (span >= groups.size()) {
                    filter(v, groups, fromBucket, toBucket, dims::equals, visitor);
                    continue;
                }
                for (long bucket = first; bucket < toBucket; bucket += step) {
                    Group g = new Group(dims, bucket);
                    Map<Long, Object[]> epochs = groups.get(g);
                    if (epochs != null) {
                        visit(v, g, epochs, null, visitor);
                    }
                }
            } finally {
                s.lock.readLock().unlock();
            }
        }
    }

    /** Visits the groups with a bucket in {@code [fromBucket, toBucket)} and dims that {@code dims} accepts. */
    private static void filter(CompiledView v, Map<Group, Map<Long, Object[]>> groups, long fromBucket, long toBucket,
                               Predicate<GroupKey> dims, Visitor visitor) {
        groups.forEach((g, epochs) -> {
            if (g.bucket() >= fromBucket && g.bucket() < toBucket && dims.test(g.dims())) {
                visit(v, g, epochs, null, visitor);
            }
        });
    }

    private static void visit(CompiledView v, Group g, Map<Long, Object[]> epochs, boolean[] measures,
                              Visitor visitor) {
        epochs.forEach((epoch, accs) ->
                visitor.visit(new StateKey(v.name(), g.dims(), g.bucket(), epoch), v.copy(accs, measures)));
    }

    @Override
    public void read(String view, GroupKey dims, long bucket, boolean[] measures, Visitor visitor) {
        CompiledView v = catalog.view(view);
        Group g = new Group(dims, bucket);
        for (Shard s : shards.values()) {
            if (!s.stream.equals(v.stream().name())) {
                continue;
            }
            s.lock.readLock().lock();
            try {
                Map<Long, Object[]> epochs = s.views.getOrDefault(view, Map.of()).get(g);
                if (epochs != null) {
                    visit(v, g, epochs, measures, visitor);
                }
            } finally {
                s.lock.readLock().unlock();
            }
        }
    }

    @Override
    public Optional<IdempotencyRecord> idempotency(String key) {
        for (Shard s : shards.values()) {
            s.lock.readLock().lock();
            try {
                IdempotencyRecord r = s.idempotency.get(key);
                if (r != null) {
                    return Optional.of(r);
                }
            } finally {
                s.lock.readLock().unlock();
            }
        }
        return Optional.empty();
    }

    @Override
    public void expireIdempotency(long arrivalMs) {
        for (Shard s : shards.values()) {
            s.lock.writeLock().lock();
            try {
                s.idempotency.values().removeIf(r -> r.arrivalMs() < arrivalMs);
            } finally {
                s.lock.writeLock().unlock();
            }
        }
    }

    @Override
    public void expireThrough(long epoch) {
        for (Shard s : shards.values()) {
            s.lock.writeLock().lock();
            try {
                for (Map<Group, Map<Long, Object[]>> groups : s.views.values()) {
                    groups.values().removeIf(epochs -> {
                        int before = epochs.size();
                        epochs.keySet().removeIf(e -> e <= epoch);
                        s.entries -= before - epochs.size();
                        return epochs.isEmpty();
                    });
                }
            } finally {
                s.lock.writeLock().unlock();
            }
        }
    }

    @Override
    public long size() {
        long n = 0;
        for (Shard s : shards.values()) {
            s.lock.readLock().lock();
            try {
                n += s.entries;
            } finally {
                s.lock.readLock().unlock();
            }
        }
        return n;
    }

    /** One checkpoint at a time: they share each shard's temporary file. */
    @Override
    public synchronized void checkpoint() {
        if (dir == null) {
            return;
        }
        for (Shard s : shards.values()) {
            try {
                writeCheckpoint(s);
            } catch (IOException e) {
                throw new UncheckedIOException("checkpoint of " + s.stream + "/" + s.partition + " failed", e);
            }
        }
    }

    @Override
    public void close() {
        checkpoint();
    }

    private Path file(String stream, int partition) {
        return dir.resolve(stream).resolve(partition + ".ckpt");
    }

    private void writeCheckpoint(Shard s) throws IOException {
        Path target = file(s.stream, s.partition);
        Files.createDirectories(target.getParent());
        Path tmp = Durable.tempFor(target);
        long offset;
        s.lock.readLock().lock();
        try {
            offset = s.nextOffset;
            if (offset == s.checkpointedOffset) {
                return;
            }
            try (OutputStream raw = Files.newOutputStream(tmp)) {
                CRC32C crc = new CRC32C();
                DataOutputStream out = new DataOutputStream(
                        new BufferedOutputStream(new CheckedOutputStream(raw, crc), 1 << 16));
                writeShard(s, out);
                out.flush();
                new DataOutputStream(raw).writeLong(crc.getValue());
            }
        } finally {
            s.lock.readLock().unlock();
        }
        if (!gate.open(s.stream, s.partition, offset)) {
            LOG.warn("checkpoint {} at offset {} held back: the events before it are not all recorded by the hot "
                    + "path's listeners yet; the next checkpoint tries again", target, offset);
            Files.delete(tmp);
            return;
        }
        Durable.publish(tmp, target);
        s.checkpointedOffset = offset;
    }

    private void writeShard(Shard s, DataOutputStream out) throws IOException {
        out.writeInt(MAGIC);
        out.writeLong(s.nextOffset);
        List<CompiledView> views = catalog.hotViewsOf(s.stream);
        out.writeInt(views.size());
        for (CompiledView v : views) {
            out.writeUTF(v.name());
            out.writeUTF(v.fingerprint());
        }
        out.writeInt((int) s.entries);
        for (Map.Entry<String, Map<Group, Map<Long, Object[]>>> view : s.views.entrySet()) {
            CompiledView v = catalog.view(view.getKey());
            for (Map.Entry<Group, Map<Long, Object[]>> g : view.getValue().entrySet()) {
                for (Map.Entry<Long, Object[]> e : g.getValue().entrySet()) {
                    out.writeUTF(view.getKey());
                    GroupKeys.write(g.getKey().dims(), out);
                    out.writeLong(g.getKey().bucket());
                    out.writeLong(e.getKey());
                    for (int i = 0; i < v.measures().length; i++) {
                        v.measures()[i].write(e.getValue()[i], out);
                    }
                }
            }
        }
        out.writeInt(s.idempotency.size());
        for (IdempotencyRecord r : s.idempotency.values()) {
            r.write(out);
        }
    }

    private Shard load(String stream, int partition) {
        Shard s = new Shard(stream, partition);
        if (dir == null || !Files.exists(file(stream, partition))) {
            return s;
        }
        Path f = file(stream, partition);
        try {
            String damage = checkCrc(f);
            if (damage != null) {
                quarantine(f, damage, stream, partition);
                return s;
            }
        } catch (IOException e) {
            quarantine(f, "it is unreadable (" + e + ")", stream, partition);
            return s;
        }
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(f), 1 << 16))) {
            Shard loaded = readShard(stream, partition, in, f);
            if (loaded == null) {
                return s;
            }
            loaded.checkpointedOffset = loaded.nextOffset;
            LOG.info("restored {}/{} from checkpoint at offset {} ({} entries)", stream, partition, loaded.nextOffset,
                    loaded.entries);
            return loaded;
        } catch (IOException | RuntimeException e) {
            quarantine(f, "its CRC matches but it does not parse (" + e + ")", stream, partition);
            return s;
        }
    }

    /** Why the CRC at the end of checkpoint {@code f} does not match the bytes before it, or null when it does. */
    private static String checkCrc(Path f) throws IOException {
        long size = Files.size(f);
        if (size < Long.BYTES) {
            return "it has " + size + " bytes, fewer than its CRC alone";
        }
        CRC32C crc = new CRC32C();
        try (InputStream in = new BufferedInputStream(Files.newInputStream(f), 1 << 16)) {
            byte[] chunk = new byte[1 << 16];
            for (long left = size - Long.BYTES; left > 0; ) {
                int n = in.read(chunk, 0, (int) Math.min(chunk.length, left));
                if (n < 0) {
                    return "it ended while it was read";
                }
                crc.update(chunk, 0, n);
                left -= n;
            }
            long stored = new DataInputStream(in).readLong();
            return stored == crc.getValue() ? null : "the CRC of its first " + (size - Long.BYTES)
                    + " bytes does not match the one stored after them";
        }
    }

    /**
     * Moves a damaged checkpoint aside, to {@code <partition>.ckpt.damaged} next to it (replacing an older one), so
     * that it can be looked at and is never read again; the shard starts empty and the hot path rebuilds it from
     * the log.
     */
    private static void quarantine(Path f, String why, String stream, int partition) {
        Path aside = f.resolveSibling(f.getFileName() + ".damaged");
        try {
            Files.move(f, aside, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            LOG.error("checkpoint {} is damaged: {}; moved it to {} and rebuilding {}/{} from the log", f, why, aside,
                    stream, partition);
        } catch (IOException e) {
            LOG.error("checkpoint {} is damaged: {}; rebuilding {}/{} from the log (moving it to {} failed: {})", f,
                    why, stream, partition, aside, e.toString());
        }
    }

    private Shard readShard(String stream, int partition, DataInputStream in, Path f) throws IOException {
        int magic = in.readInt();
        if (magic != MAGIC && magic != MAGIC_V1) {
            throw new IOException("not a checkpoint file");
        }
        Shard s = new Shard(stream, partition);
        s.nextOffset = in.readLong();
        Map<String, String> fingerprints = new TreeMap<>();
        int views = in.readInt();
        for (int i = 0; i < views; i++) {
            fingerprints.put(in.readUTF(), in.readUTF());
        }
        Map<String, String> current = new TreeMap<>();
        catalog.hotViewsOf(stream).forEach(v -> current.put(v.name(), v.fingerprint()));
        if (!fingerprints.equals(current)) {
            LOG.info("view definitions of stream {} changed since checkpoint {}; rebuilding partition {} from the log",
                    stream, f, partition);
            return null;
        }
        int entries = in.readInt();
        for (int i = 0; i < entries; i++) {
            CompiledView v = catalog.view(in.readUTF());
            GroupKey dims = GroupKeys.read(in);
            StateKey k = new StateKey(v.name(), dims, in.readLong(), in.readLong());
            Object[] accs = new Object[v.measures().length];
            for (int m = 0; m < accs.length; m++) {
                accs[m] = v.measures()[m].read(in);
            }
            s.put(k, accs, v);
        }
        int keys = in.readInt();
        for (int i = 0; i < keys; i++) {
            IdempotencyRecord r = magic == MAGIC ? IdempotencyRecord.read(in) : IdempotencyRecord.readWithoutDigest(in);
            s.idempotency.put(r.key(), r);
        }
        return s;
    }
}
