package io.tandem.redis;

import io.tandem.core.GroupKey;
import io.tandem.spi.store.IdempotencyRecord;
import io.tandem.spi.store.RealtimeStore;
import io.tandem.spi.store.StateKey;
import io.tandem.spi.store.StoreUnavailableException;
import io.tandem.spi.view.Catalog;
import io.tandem.spi.view.CompiledView;
import io.tandem.spi.view.GroupKeys;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPool;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * The real-time store in a Redis server that every node shares: workers write it, serving nodes read it.
 *
 * <p>Keys, all under the configured prefix {@code P}:
 * <pre>
 * P view:VIEW:PARTITION     hash   field: the group's dims (GroupKeys' binary form) + bucket (i64)
 *                                  value: epoch count (i32), then per epoch: epoch (i64) and each measure's
 *                                  accumulator in its own binary form (sketches as their serialized bytes)
 * P offsets:STREAM          hash   partition -> the next log offset the hot path must apply
 * P entries:STREAM          hash   partition -> how many (group, epoch) entries the partition holds
 * P writers:STREAM          hash   partition -> the token of the partition's writer
 * P writer-seq              string the last writer token handed out
 * P fingerprints:STREAM     string the stream's hot views and their definitions' fingerprints
 * P expired-through         string the last epoch the batch views cover; older epochs are invisible
 * P idempotency             hash   idempotency key -> IdempotencyRecord's binary form
 * P idempotency-arrivals    zset   idempotency key scored by its arrival, for expiry
 * </pre>
 *
 * <p>A worker {@link #acquire acquires} a partition: it takes a new writer token, which fences any writer before
 * it, and loads the partition's groups into memory, so it can merge accumulators (sketches included) that Redis
 * cannot. Each commit is one Lua script, run atomically by Redis: it checks the token, writes every changed
 * group, the idempotency keys, the entry count and the offset, or nothing. A batch of events thus costs one
 * round trip and, inside Redis, one HGET plus one HSET per changed group and two more, whatever its size. A
 * worker that crashes between commits leaves Redis at its last commit, and the next writer replays from there.
 *
 * <p>Readers ask Redis on every call, in one round trip: a script that lists the stream's partitions, reads the
 * expiry mark and then each partition's hash (HGETALL) or the asked groups (HMGET), so a serving node sees a
 * commit as soon as it is made. The script names the view hashes itself, another reason Redis Cluster is out.
 * {@link #expireThrough} raises the mark at once and the partitions' writers drop the expired epochs from Redis
 * (there, or at the next {@link #checkpoint} in a process that did not raise it), 10,000 groups per script.
 * One Redis server (with replicas if wanted): a commit's keys span hash
 * slots, so Redis Cluster is not supported. Durability is Redis's: run it with {@code appendonly yes}.
 */
public final class RedisRealtimeStore implements RealtimeStore {

    private static final Logger LOG = LoggerFactory.getLogger(RedisRealtimeStore.class);

    /** The prefix of the error the commit script answers when the caller's token is not the partition's. */
    private static final String FENCED = "FENCED";

    private static final byte[] COMMIT = script("""
            -- KEYS: writers, offsets, entries, idempotency, idempotency-arrivals, then one hash per view written
            -- ARGV: partition, token, next offset, entry count, idempotency count, per key: key, record, arrival;
            --       then per view hash in KEYS order: a field count, then field, value pairs (empty value: delete);
            --       a count of -1 deletes the whole hash
            if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then
              return redis.error_reply('FENCED another writer acquired partition ' .. ARGV[1])
            end
            local a = 6
            for i = 1, tonumber(ARGV[5]) do
              redis.call('HSET', KEYS[4], ARGV[a], ARGV[a + 1])
              redis.call('ZADD', KEYS[5], ARGV[a + 2], ARGV[a])
              a = a + 3
            end
            for k = 6, #KEYS do
              local n = tonumber(ARGV[a])
              a = a + 1
              if n == -1 then
                redis.call('UNLINK', KEYS[k])
              end
              for i = 1, n do
                if ARGV[a + 1] == '' then
                  redis.call('HDEL', KEYS[k], ARGV[a])
                else
                  redis.call('HSET', KEYS[k], ARGV[a], ARGV[a + 1])
                end
                a = a + 2
              end
            end
            redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
            redis.call('HSET', KEYS[3], ARGV[1], ARGV[4])
            return 1
            """);

    private static final byte[] ACQUIRE = script("""
            -- KEYS: writer-seq, writers, offsets, expired-through; ARGV: partition
            local token = redis.call('INCR', KEYS[1])
            redis.call('HSET', KEYS[2], ARGV[1], token)
            return {tostring(token), redis.call('HGET', KEYS[3], ARGV[1]) or '', redis.call('GET', KEYS[4]) or ''}
            """);

    /** At most this many fields per read: the script passes them to HMGET as arguments, within Lua's stack. */
    private static final int MAX_FIELDS = 4_096;

    /** At most this many groups per script when dropping expired epochs from Redis. */
    private static final int PRUNE_CHUNK = 10_000;

    private static final byte[] READ = script("""
            -- KEYS: offsets:STREAM, expired-through; ARGV: the view's hash prefix, then the fields (none: all)
            local partitions = redis.call('HKEYS', KEYS[1])
            local out = {redis.call('GET', KEYS[2]) or ''}
            for i = 1, #partitions do
              local hash = ARGV[1] .. partitions[i]
              if #ARGV == 1 then
                out[#out + 1] = redis.call('HGETALL', hash)
              else
                out[#out + 1] = redis.call('HMGET', hash, unpack(ARGV, 2))
              end
            end
            return out
            """);

    private static final byte[] RAISE_MARK = script("""
            -- KEYS: expired-through; ARGV: epoch
            local current = redis.call('GET', KEYS[1])
            if not current or tonumber(current) < tonumber(ARGV[1]) then
              redis.call('SET', KEYS[1], ARGV[1])
            end
            return 1
            """);

    private static final byte[] EXPIRE_IDEMPOTENCY = script("""
            -- KEYS: idempotency, idempotency-arrivals; ARGV: the arrival before which keys go
            local keys = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', '(' .. ARGV[1])
            for i = 1, #keys do
              redis.call('HDEL', KEYS[1], keys[i])
            end
            redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. ARGV[1])
            return #keys
            """);

    private final Catalog catalog;
    private final JedisPool pool;
    private final String prefix;
    /** The partitions this process writes, by "stream/partition". */
    private final Map<String, Owned> owned = new ConcurrentHashMap<>();

    /**
     * Opens the store over {@code pool}'s server under {@code prefix}. A stream whose hot views' definitions changed
     * since the state under the prefix was written starts empty at offset 0, and the hot path rebuilds it.
     */
    public RedisRealtimeStore(Catalog catalog, JedisPool pool, String prefix) {
        this.catalog = catalog;
        this.pool = pool;
        this.prefix = prefix;
        redis(redis -> {
            for (String stream : catalog.config().streams().keySet()) {
                resetIfRedefined(redis, stream);
            }
            return null;
        });
    }

    /** A (dims, bucket) of one view, whose accumulators a partition keeps per epoch. */
    private record Group(GroupKey dims, long bucket) {
    }

    /** A partition this process writes: its groups in memory, as Redis holds them after the last commit. */
    private static final class Owned {
        final String stream;
        final int partition;
        final String token;
        final ReentrantLock lock = new ReentrantLock();
        final Map<String, Map<Group, Map<Long, Object[]>>> views = new HashMap<>();
        /** Groups whose expired epochs were dropped here and not yet in Redis. */
        final Map<String, Set<Group>> pruned = new HashMap<>();
        long nextOffset;
        long entries;
        long mark = Long.MIN_VALUE;

        Owned(String stream, int partition, String token) {
            this.stream = stream;
            this.partition = partition;
            this.token = token;
        }

        /** Removes and returns at most {@code n} of the groups pruned here and not yet in Redis. */
        Map<String, Set<Group>> takePruned(int n) {
            Map<String, Set<Group>> chunk = new HashMap<>();
            int taken = 0;
            for (Map.Entry<String, Set<Group>> view : pruned.entrySet()) {
                if (views.getOrDefault(view.getKey(), Map.of()).isEmpty()) {
                    // nothing left of the view here: one UNLINK deletes the hash, however many groups it held
                    chunk.put(view.getKey(), new HashSet<>(view.getValue()));
                    view.getValue().clear();
                    continue;
                }
                Iterator<Group> it = view.getValue().iterator();
                while (it.hasNext() && taken < n) {
                    chunk.computeIfAbsent(view.getKey(), v -> new HashSet<>()).add(it.next());
                    it.remove();
                    taken++;
                }
            }
            pruned.values().removeIf(Set::isEmpty);
            return chunk;
        }

        /** Drops every epoch up to {@code epoch}, noting the groups that changed. */
        void prune(long epoch) {
            if (epoch <= mark) {
                return;
            }
            mark = epoch;
            views.forEach((view, groups) -> groups.entrySet().removeIf(g -> {
                int before = g.getValue().size();
                g.getValue().keySet().removeIf(e -> e <= epoch);
                if (g.getValue().size() != before) {
                    entries -= before - g.getValue().size();
                    pruned.computeIfAbsent(view, v -> new HashSet<>()).add(g.getKey());
                }
                return g.getValue().isEmpty();
            }));
        }
    }

    @Override
    public long committedOffset(String stream, int partition) {
        return redis(redis -> offset(redis.hget(key("offsets:" + stream), Integer.toString(partition))));
    }

    @Override
    public long acquire(String stream, int partition) {
        List<CompiledView> views = catalog.hotViewsOf(stream);
        return redis(redis -> {
            List<?> reply = (List<?>) redis.eval(ACQUIRE, List.of(bytes(key("writer-seq")),
                    bytes(key("writers:" + stream)), bytes(key("offsets:" + stream)), bytes(key("expired-through"))),
                    List.of(bytes(Integer.toString(partition))));
            Owned o = new Owned(stream, partition, text(reply.get(0)));
            o.nextOffset = offset(text(reply.get(1)));
            String mark = text(reply.get(2));
            Pipeline p = redis.pipelined();
            List<Response<Map<byte[], byte[]>>> hashes = new ArrayList<>();
            for (CompiledView v : views) {
                hashes.add(p.hgetAll(viewKey(v.name(), partition)));
            }
            p.sync();
            for (int i = 0; i < views.size(); i++) {
                CompiledView v = views.get(i);
                Map<Group, Map<Long, Object[]>> groups = new HashMap<>();
                for (Map.Entry<byte[], byte[]> e : hashes.get(i).get().entrySet()) {
                    Map<Long, Object[]> epochs = decodeEpochs(v, e.getValue(), Long.MIN_VALUE);
                    groups.put(decodeGroup(e.getKey()), epochs);
                    o.entries += epochs.size();
                }
                o.views.put(v.name(), groups);
            }
            if (!mark.isEmpty()) {
                o.prune(Long.parseLong(mark));
            }
            owned.put(stream + "/" + partition, o);
            LOG.info("acquired {}/{} at offset {} ({} entries)", stream, partition, o.nextOffset, o.entries);
            return o.nextOffset;
        });
    }

    @Override
    public void commit(String stream, int partition, long nextOffset, Map<StateKey, Object[]> deltas,
                       List<IdempotencyRecord> idempotency) {
        Owned o = owned.get(stream + "/" + partition);
        if (o == null) {
            throw new IllegalStateException("stream " + stream + ", partition " + partition
                    + ": not this store's to write; acquire it first");
        }
        o.lock.lock();
        try {
            Map<String, Set<Group>> changed = new HashMap<>();
            for (Map.Entry<StateKey, Object[]> d : deltas.entrySet()) {
                StateKey k = d.getKey();
                if (k.epoch() <= o.mark) {
                    continue;
                }
                Group g = new Group(k.dims(), k.bucket());
                Map<Long, Object[]> epochs = o.views.computeIfAbsent(k.view(), v -> new HashMap<>())
                        .computeIfAbsent(g, x -> new HashMap<>(4));
                Object[] current = epochs.putIfAbsent(k.epoch(), d.getValue());
                if (current == null) {
                    o.entries++;
                } else {
                    catalog.view(k.view()).merge(current, d.getValue());
                }
                changed.computeIfAbsent(k.view(), v -> new HashSet<>()).add(g);
            }
            write(o, nextOffset, changed, idempotency);
            o.nextOffset = nextOffset;
            changed.forEach((view, groups) -> {
                Set<Group> pruned = o.pruned.get(view);
                if (pruned != null) {
                    pruned.removeAll(groups);
                }
            });
        } catch (RuntimeException e) {
            owned.remove(stream + "/" + partition, o);
            if (e instanceof JedisDataException && e.getMessage() != null && e.getMessage().startsWith(FENCED)) {
                throw new IllegalStateException("stream " + stream + ", partition " + partition
                        + ": another writer acquired it since this store did", e);
            }
            throw e;
        } finally {
            o.lock.unlock();
        }
    }

    /** Runs the commit script: the changed groups, the idempotency keys, the entry count and the offset. */
    private void write(Owned o, long nextOffset, Map<String, Set<Group>> changed, List<IdempotencyRecord> keys) {
        List<byte[]> redisKeys = new ArrayList<>(List.of(bytes(key("writers:" + o.stream)),
                bytes(key("offsets:" + o.stream)), bytes(key("entries:" + o.stream)), bytes(key("idempotency")),
                bytes(key("idempotency-arrivals"))));
        List<byte[]> args = new ArrayList<>(List.of(bytes(Integer.toString(o.partition)), bytes(o.token),
                bytes(Long.toString(nextOffset)), bytes(Long.toString(o.entries)),
                bytes(Integer.toString(keys.size()))));
        for (IdempotencyRecord r : keys) {
            args.add(bytes(r.key()));
            args.add(r.toBytes());
            args.add(bytes(Long.toString(r.arrivalMs())));
        }
        for (Map.Entry<String, Set<Group>> view : changed.entrySet()) {
            CompiledView v = catalog.view(view.getKey());
            Map<Group, Map<Long, Object[]>> groups = o.views.getOrDefault(view.getKey(), Map.of());
            redisKeys.add(viewKey(v.name(), o.partition));
            if (groups.isEmpty()) {
                args.add(bytes("-1"));
                continue;
            }
            args.add(bytes(Integer.toString(view.getValue().size())));
            for (Group g : view.getValue()) {
                Map<Long, Object[]> epochs = groups.get(g);
                args.add(encodeGroup(g));
                args.add(epochs == null ? new byte[0] : encodeEpochs(v, epochs));
            }
        }
        redis(redis -> redis.eval(COMMIT, redisKeys, args));
    }

    @Override
    public void scan(String view, long fromBucket, long toBucket, Predicate<GroupKey> dims, Visitor visitor) {
        CompiledView v = catalog.view(view);
        Fetched fetched = fetch(v, List.of());
        for (List<byte[]> hash : fetched.partitions()) {
            for (int i = 0; i + 1 < hash.size(); i += 2) {
                Group g = decodeGroup(hash.get(i));
                if (g.bucket() >= fromBucket && g.bucket() < toBucket && dims.test(g.dims())) {
                    visit(v, g, decodeEpochs(v, hash.get(i + 1), fetched.mark()), null, visitor);
                }
            }
        }
    }

    /** Asks for the group's fields bucket by bucket when the range holds few buckets, and scans otherwise. */
    @Override
    public void scanGroup(String view, GroupKey dims, long fromBucket, long toBucket, Visitor visitor) {
        CompiledView v = catalog.view(view);
        long step = v.def().granularityMs();
        boolean bounded = fromBucket > Long.MIN_VALUE / 2 && toBucket < Long.MAX_VALUE / 2 && toBucket > fromBucket;
        if (!bounded || (toBucket - fromBucket) / step >= MAX_FIELDS) {
            scan(view, fromBucket, toBucket, dims::equals, visitor);
            return;
        }
        List<Group> wanted = new ArrayList<>();
        for (long bucket = fromBucket + Math.floorMod(-fromBucket, step); bucket < toBucket; bucket += step) {
            wanted.add(new Group(dims, bucket));
        }
        visitFound(v, wanted, null, visitor);
    }

    @Override
    public void read(String view, GroupKey dims, long bucket, boolean[] measures, Visitor visitor) {
        visitFound(catalog.view(view), List.of(new Group(dims, bucket)), measures, visitor);
    }

    /** Visits the groups of {@code wanted} that any partition holds. */
    private void visitFound(CompiledView v, List<Group> wanted, boolean[] measures, Visitor visitor) {
        if (wanted.isEmpty()) {
            return;
        }
        Fetched fetched = fetch(v, wanted.stream().map(RedisRealtimeStore::encodeGroup).toList());
        for (List<byte[]> values : fetched.partitions()) {
            for (int i = 0; i < values.size(); i++) {
                if (values.get(i) != null) {
                    visit(v, wanted.get(i), decodeEpochs(v, values.get(i), fetched.mark()), measures, visitor);
                }
            }
        }
    }

    private static void visit(CompiledView v, Group g, Map<Long, Object[]> epochs, boolean[] measures,
                              Visitor visitor) {
        epochs.forEach((epoch, accs) -> {
            if (measures != null) {
                for (int i = 0; i < accs.length; i++) {
                    accs[i] = measures[i] ? accs[i] : null;
                }
            }
            visitor.visit(new StateKey(v.name(), g.dims(), g.bucket(), epoch), accs);
        });
    }

    /**
     * What {@link #READ} answered: the expiry mark, and per partition either its whole hash (field, value, ...) or
     * the values of the fields asked (null where absent).
     */
    private record Fetched(long mark, List<List<byte[]>> partitions) {
    }

    /** One round trip: the partitions of the view's stream, the expiry mark, and each partition's fields. */
    private Fetched fetch(CompiledView v, List<byte[]> fields) {
        List<byte[]> args = new ArrayList<>(fields.size() + 1);
        args.add(bytes(key("view:" + v.name() + ":")));
        args.addAll(fields);
        List<?> reply = redis(redis -> (List<?>) redis.eval(READ,
                List.of(bytes(key("offsets:" + v.stream().name())), bytes(key("expired-through"))), args));
        String mark = text(reply.get(0));
        List<List<byte[]>> partitions = new ArrayList<>(reply.size() - 1);
        for (Object partition : reply.subList(1, reply.size())) {
            List<byte[]> values = new ArrayList<>();
            for (Object value : (List<?>) partition) {
                values.add((byte[]) value);
            }
            partitions.add(values);
        }
        return new Fetched(mark.isEmpty() ? Long.MIN_VALUE : Long.parseLong(mark), partitions);
    }

    @Override
    public Optional<IdempotencyRecord> idempotency(String idempotencyKey) {
        byte[] r = redis(redis -> redis.hget(bytes(key("idempotency")), bytes(idempotencyKey)));
        return r == null ? Optional.empty() : Optional.of(IdempotencyRecord.fromBytes(r, 0, r.length));
    }

    @Override
    public void expireIdempotency(long arrivalMs) {
        redis(redis -> redis.eval(EXPIRE_IDEMPOTENCY, List.of(bytes(key("idempotency")),
                bytes(key("idempotency-arrivals"))), List.of(bytes(Long.toString(arrivalMs)))));
    }

    /**
     * Raises the mark in Redis (readers skip the expired epochs at once) and drops the expired epochs of the
     * partitions written here, from memory and from Redis.
     */
    @Override
    public void expireThrough(long epoch) {
        redis(redis -> redis.eval(RAISE_MARK, List.of(bytes(key("expired-through"))),
                List.of(bytes(Long.toString(epoch)))));
        prune(epoch);
    }

    /**
     * Redis keeps what was committed (as its persistence settings say); this drops from Redis the epochs that
     * the mark expired, in the partitions written here.
     */
    @Override
    public void checkpoint() {
        String mark = redis(redis -> redis.get(key("expired-through")));
        if (mark != null) {
            prune(Long.parseLong(mark));
        }
    }

    /**
     * Drops the expired epochs of the partitions written here from memory and then from Redis, at most
     * {@link #PRUNE_CHUNK} groups per script so that Redis, which runs one script at a time, keeps answering others
     * in between; the worker's commits go on between chunks.
     */
    private void prune(long epoch) {
        for (Owned o : owned.values()) {
            o.lock.lock();
            try {
                o.prune(epoch);
            } finally {
                o.lock.unlock();
            }
            long t0 = System.nanoTime();
            int dropped = 0;
            boolean more = true;
            while (more) {
                o.lock.lock();
                try {
                    Map<String, Set<Group>> chunk = o.takePruned(PRUNE_CHUNK);
                    more = !chunk.isEmpty() && owned.get(o.stream + "/" + o.partition) == o;
                    if (more) {
                        write(o, o.nextOffset, chunk, List.of());
                        dropped += chunk.values().stream().mapToInt(Set::size).sum();
                    }
                } catch (JedisDataException e) {
                    owned.remove(o.stream + "/" + o.partition, o);
                    LOG.info("{}/{} was acquired by another writer: {}", o.stream, o.partition, e.getMessage());
                    more = false;
                } finally {
                    o.lock.unlock();
                }
            }
            if (dropped > 0) {
                LOG.info("{}/{}: {} groups with expired epochs rewritten in Redis in {} ms", o.stream, o.partition,
                        dropped, (System.nanoTime() - t0) / 1_000_000);
            }
        }
    }

    @Override
    public long size() {
        return redis(redis -> {
            long n = 0;
            for (String stream : catalog.config().streams().keySet()) {
                for (String entries : redis.hvals(key("entries:" + stream))) {
                    n += Long.parseLong(entries);
                }
            }
            return n;
        });
    }

    @Override
    public void close() {
        pool.close();
    }

    /**
     * Deletes a stream's state when its hot views are not those it was written for (a view added, removed or
     * redefined), so that the hot path rebuilds it from the log.
     */
    private void resetIfRedefined(Jedis redis, String stream) {
        String current = catalog.hotViewsOf(stream).stream().map(v -> v.name() + "=" + v.fingerprint())
                .sorted().collect(Collectors.joining("\n"));
        String stored = redis.get(key("fingerprints:" + stream));
        if (current.equals(stored)) {
            return;
        }
        if (stored != null) {
            Set<String> partitions = redis.hkeys(key("offsets:" + stream));
            List<String> doomed = new ArrayList<>(List.of(key("offsets:" + stream), key("entries:" + stream),
                    key("writers:" + stream)));
            for (String line : stored.split("\n")) {
                String view = line.substring(0, line.indexOf('='));
                partitions.forEach(p -> doomed.add(key("view:" + view + ":" + p)));
            }
            redis.del(doomed.toArray(String[]::new));
            LOG.info("view definitions of stream {} changed since its state in Redis was written; rebuilding it "
                    + "from the log", stream);
        }
        redis.set(key("fingerprints:" + stream), current);
    }

    /** Runs {@code call} on a pooled connection; a server that cannot be reached is a StoreUnavailableException. */
    private <T> T redis(Function<Jedis, T> call) {
        try (Jedis redis = pool.getResource()) {
            return call.apply(redis);
        } catch (JedisConnectionException e) {
            throw new StoreUnavailableException("the real-time store's Redis cannot be reached: " + e.getMessage(), e);
        }
    }

    // ---- keys and values -----------------------------------------------------------------------------------

    private String key(String name) {
        return prefix + name;
    }

    private byte[] viewKey(String view, int partition) {
        return bytes(key("view:" + view + ":" + partition));
    }

    private static long offset(String value) {
        return value == null || value.isEmpty() ? 0 : Long.parseLong(value);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(Object reply) {
        return new String((byte[]) reply, StandardCharsets.UTF_8);
    }

    private static byte[] script(String lua) {
        return bytes(lua);
    }

    private static byte[] encodeGroup(Group g) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(32);
            DataOutputStream out = new DataOutputStream(bytes);
            GroupKeys.write(g.dims(), out);
            out.writeLong(g.bucket());
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Group decodeGroup(byte[] field) {
        try {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(field));
            GroupKey dims = GroupKeys.read(in);
            return new Group(dims, in.readLong());
        } catch (IOException e) {
            throw new UncheckedIOException("a field of a view hash in Redis is not a group", e);
        }
    }

    private static byte[] encodeEpochs(CompiledView v, Map<Long, Object[]> epochs) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeInt(epochs.size());
            for (Map.Entry<Long, Object[]> e : epochs.entrySet()) {
                out.writeLong(e.getKey());
                for (int i = 0; i < v.measures().length; i++) {
                    v.measures()[i].write(e.getValue()[i], out);
                }
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A group's accumulators by epoch, leaving out the epochs up to {@code mark}. */
    private static Map<Long, Object[]> decodeEpochs(CompiledView v, byte[] value, long mark) {
        try {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(value));
            int n = in.readInt();
            Map<Long, Object[]> epochs = new HashMap<>(Math.max(4, n * 2));
            for (int e = 0; e < n; e++) {
                long epoch = in.readLong();
                Object[] accs = new Object[v.measures().length];
                for (int i = 0; i < accs.length; i++) {
                    accs[i] = v.measures()[i].read(in);
                }
                if (epoch > mark) {
                    epochs.put(epoch, accs);
                }
            }
            return epochs;
        } catch (IOException e) {
            throw new UncheckedIOException("a group of view " + v.name() + " in Redis cannot be read", e);
        }
    }
}
