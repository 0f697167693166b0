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
 * P view:VIEW:PARTITION:EPOCH  hash   one epoch's accumulators of one partition: field = the group's dims
 *                                     (GroupKeys' binary form) + bucket (i64); value = each measure's
 *                                     accumulator in its own binary form (sketches as their serialized bytes)
 * P epochs:VIEW:PARTITION      set    the epochs that partition holds entries of
 * P offsets:STREAM             hash   partition -> the next log offset the hot path must apply
 * P writers:STREAM             hash   partition -> the token of the partition's writer
 * P writer-seq                 string the last writer token handed out
 * P fingerprints:STREAM        string the stream's hot views and their definitions' fingerprints
 * P expired-through            string the last epoch the batch views cover
 * P idempotency                hash   idempotency key -> IdempotencyRecord's binary form
 * P idempotency-arrivals       zset   idempotency key scored by its arrival, for expiry
 * </pre>
 *
 * <p>A worker {@link #acquire acquires} a partition: it takes a new writer token, which fences any writer before
 * it, and loads the partition's entries into memory, so it can merge accumulators (sketches included) that Redis
 * cannot. Each commit is one Lua script, run atomically by Redis: it checks the token and that the partition is
 * at the offset the writer's memory ends at (Redis may have lost commits in a restart), then writes every changed
 * entry, the idempotency keys and the offset, or nothing. A batch of events thus costs one round trip and, inside
 * Redis, one HSET per changed (group, epoch), one SADD per epoch it touched and four more, whatever its size. A
 * worker that crashes between commits leaves Redis at its last commit, and the next writer replays from there.
 *
 * <p>Readers ask Redis on every call, in one round trip: a script that lists the stream's partitions and their
 * epochs after the expiry mark, then reads each epoch's hash (HGETALL) or the asked groups (HMGET), so a serving
 * node sees a commit as soon as it is made. {@link #expireThrough}, from any process, raises the mark and
 * deletes the covered epochs' hashes, one UNLINK each however many groups they hold; a commit drops entries of
 * epochs the mark covers. The scripts name the hashes they build, and a commit's keys span hash slots: one
 * Redis server (with replicas if wanted), not Redis Cluster. Durability is Redis's: run it with
 * {@code appendonly yes}.
 */
public final class RedisRealtimeStore implements RealtimeStore {

    private static final Logger LOG = LoggerFactory.getLogger(RedisRealtimeStore.class);

    /** The prefix of the error the commit script answers when the caller's token is not the partition's. */
    private static final String FENCED = "FENCED";

    private static final byte[] COMMIT = bytes("""
            -- KEYS: writers, offsets, idempotency, idempotency-arrivals, expired-through
            -- ARGV: partition, token, next offset, the offset the writer's state ends at, idempotency count, per
            --       key: key, record, arrival; then the number of (view, epoch) hashes, per hash: its key, its
            --       epochs set, the epoch, a field count and field, value pairs. Answers the expiry mark.
            if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then
              return redis.error_reply('FENCED another writer acquired partition ' .. ARGV[1])
            end
            if (redis.call('HGET', KEYS[2], ARGV[1]) or '0') ~= ARGV[4] then
              return redis.error_reply('FENCED partition ' .. ARGV[1] .. ' is not at offset ' .. ARGV[4])
            end
            local stored = redis.call('GET', KEYS[5])
            local mark = stored and tonumber(stored)
            local a = 6
            for i = 1, tonumber(ARGV[5]) do
              redis.call('HSET', KEYS[3], ARGV[a], ARGV[a + 1])
              redis.call('ZADD', KEYS[4], ARGV[a + 2], ARGV[a])
              a = a + 3
            end
            local hashes = tonumber(ARGV[a])
            a = a + 1
            for h = 1, hashes do
              local hash, set, epoch, n = ARGV[a], ARGV[a + 1], ARGV[a + 2], tonumber(ARGV[a + 3])
              a = a + 4
              if not mark or tonumber(epoch) > mark then
                redis.call('SADD', set, epoch)
                for i = 1, n do
                  redis.call('HSET', hash, ARGV[a], ARGV[a + 1])
                  a = a + 2
                end
              else
                a = a + 2 * n
              end
            end
            redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
            return stored or ''
            """);

    private static final byte[] ACQUIRE = bytes("""
            -- KEYS: writer-seq, writers, offsets, expired-through; ARGV: partition
            local token = redis.call('INCR', KEYS[1])
            redis.call('HSET', KEYS[2], ARGV[1], token)
            return {tostring(token), redis.call('HGET', KEYS[3], ARGV[1]) or '', redis.call('GET', KEYS[4]) or ''}
            """);

    /** Lists the live epochs of a view's partitions (all, or one) and reads them; shared by the read scripts. */
    private static final String LIVE_EPOCHS = """
            -- KEYS: offsets:STREAM, expired-through; ARGV: the view's hash prefix, its epochs-set prefix, a
            -- partition or '' for every one, then the fields to read ('*' alone: every field; none: the counts)
            local stored = redis.call('GET', KEYS[2])
            local mark = stored and tonumber(stored)
            local partitions = ARGV[3] ~= '' and {ARGV[3]} or redis.call('HKEYS', KEYS[1])
            local out = {}
            for _, p in ipairs(partitions) do
              for _, e in ipairs(redis.call('SMEMBERS', ARGV[2] .. p)) do
                if not mark or tonumber(e) > mark then
                  local hash = ARGV[1] .. p .. ':' .. e
                  out[#out + 1] = e
                  if #ARGV == 3 then
                    out[#out + 1] = redis.call('HLEN', hash)
                  elseif #ARGV == 4 and ARGV[4] == '*' then
                    out[#out + 1] = redis.call('HGETALL', hash)
                  else
                    out[#out + 1] = redis.call('HMGET', hash, unpack(ARGV, 4))
                  end
                end
              end
            end
            return out
            """;

    private static final byte[] READ = bytes(LIVE_EPOCHS);

    private static final byte[] EXPIRE = bytes("""
            -- KEYS: expired-through; ARGV: the epoch, then per hot view: its stream's offsets key, its hash
            -- prefix and its epochs-set prefix. Raises the mark and deletes the hashes of the epochs it covers.
            local stored = redis.call('GET', KEYS[1])
            if not stored or tonumber(stored) < tonumber(ARGV[1]) then
              redis.call('SET', KEYS[1], ARGV[1])
            end
            local mark = tonumber(redis.call('GET', KEYS[1]))
            local dropped = 0
            for v = 2, #ARGV, 3 do
              for _, p in ipairs(redis.call('HKEYS', ARGV[v])) do
                local set = ARGV[v + 2] .. p
                for _, e in ipairs(redis.call('SMEMBERS', set)) do
                  if tonumber(e) <= mark then
                    redis.call('UNLINK', ARGV[v + 1] .. p .. ':' .. e)
                    redis.call('SREM', set, e)
                    dropped = dropped + 1
                  end
                end
              end
            end
            return dropped
            """);

    private static final byte[] EXPIRE_IDEMPOTENCY = bytes("""
            -- KEYS: idempotency, idempotency-arrivals; ARGV: the arrival before which keys go
            local keys = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', '(' .. ARGV[1])
            for i = 1, #keys do
              redis.call('HDEL', KEYS[1], keys[i])
            end
            redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. ARGV[1])
            return #keys
            """);

    /** At most this many fields per read: the script passes them to HMGET as arguments, within Lua's stack. */
    private static final int MAX_FIELDS = 4_096;

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

    /** A partition this process writes: its entries in memory, as Redis holds them after the last commit. */
    private static final class Owned {
        final String stream;
        final int partition;
        final String token;
        final ReentrantLock lock = new ReentrantLock();
        /** view → (dims, bucket) → epoch → accumulators. */
        final Map<String, Map<Group, Map<Long, Object[]>>> views = new HashMap<>();
        long nextOffset;
        long entries;
        long mark = Long.MIN_VALUE;

        Owned(String stream, int partition, String token) {
            this.stream = stream;
            this.partition = partition;
            this.token = token;
        }

        /** Drops every epoch up to {@code epoch} from memory (Redis has dropped or drops them itself). */
        void prune(long epoch) {
            if (epoch <= mark) {
                return;
            }
            mark = epoch;
            for (Map<Group, Map<Long, Object[]>> groups : views.values()) {
                groups.values().removeIf(epochs -> {
                    int before = epochs.size();
                    epochs.keySet().removeIf(e -> e <= epoch);
                    entries -= before - epochs.size();
                    return epochs.isEmpty();
                });
            }
        }
    }

    @Override
    public long committedOffset(String stream, int partition) {
        return redis(redis -> offset(redis.hget(key("offsets:" + stream), Integer.toString(partition))));
    }

    @Override
    public long acquire(String stream, int partition) {
        return redis(redis -> {
            List<?> reply = (List<?>) redis.eval(ACQUIRE, List.of(bytes(key("writer-seq")),
                    bytes(key("writers:" + stream)), bytes(key("offsets:" + stream)), bytes(key("expired-through"))),
                    List.of(bytes(Integer.toString(partition))));
            Owned o = new Owned(stream, partition, text(reply.get(0)));
            o.nextOffset = offset(text(reply.get(1)));
            String mark = text(reply.get(2));
            o.mark = mark.isEmpty() ? Long.MIN_VALUE : Long.parseLong(mark);
            for (CompiledView v : catalog.hotViewsOf(stream)) {
                Map<Group, Map<Long, Object[]>> groups = new HashMap<>();
                for (Epoch e : live(redis, v, Integer.toString(partition), List.of(bytes("*")))) {
                    for (int i = 0; i + 1 < e.values().size(); i += 2) {
                        groups.computeIfAbsent(decodeGroup(e.values().get(i)), g -> new HashMap<>(4))
                                .put(e.epoch(), decodeAccs(v, e.values().get(i + 1)));
                        o.entries++;
                    }
                }
                o.views.put(v.name(), groups);
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
            /* view → epoch → the groups whose accumulators of that epoch changed */
            Map<String, Map<Long, Set<Group>>> changed = new HashMap<>();
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
                changed.computeIfAbsent(k.view(), v -> new HashMap<>())
                        .computeIfAbsent(k.epoch(), e -> new HashSet<>()).add(g);
            }
            String mark = write(o, nextOffset, changed, idempotency);
            o.nextOffset = nextOffset;
            if (!mark.isEmpty()) {
                o.prune(Long.parseLong(mark));
            }
        } catch (RuntimeException e) {
            owned.remove(stream + "/" + partition, o);
            if (e instanceof JedisDataException && e.getMessage() != null && e.getMessage().startsWith(FENCED)) {
                throw new IllegalStateException("stream " + stream + ", partition " + partition + ": "
                        + e.getMessage().substring(FENCED.length() + 1) + " (another writer acquired it since this "
                        + "store did, or Redis lost commits); acquire it again and replay", e);
            }
            throw e;
        } finally {
            o.lock.unlock();
        }
    }

    /** Runs the commit script: the changed entries, the idempotency keys and the offset; answers the mark. */
    private String write(Owned o, long nextOffset, Map<String, Map<Long, Set<Group>>> changed,
                         List<IdempotencyRecord> keys) {
        List<byte[]> redisKeys = List.of(bytes(key("writers:" + o.stream)), bytes(key("offsets:" + o.stream)),
                bytes(key("idempotency")), bytes(key("idempotency-arrivals")), bytes(key("expired-through")));
        List<byte[]> args = new ArrayList<>(List.of(bytes(Integer.toString(o.partition)), bytes(o.token),
                bytes(Long.toString(nextOffset)), bytes(Long.toString(o.nextOffset)),
                bytes(Integer.toString(keys.size()))));
        for (IdempotencyRecord r : keys) {
            args.add(bytes(r.key()));
            args.add(r.toBytes());
            args.add(bytes(Long.toString(r.arrivalMs())));
        }
        args.add(bytes(Integer.toString(changed.values().stream().mapToInt(Map::size).sum())));
        changed.forEach((view, byEpoch) -> {
            CompiledView v = catalog.view(view);
            Map<Group, Map<Long, Object[]>> groups = o.views.get(view);
            byEpoch.forEach((epoch, changedGroups) -> {
                args.add(bytes(key("view:" + view + ":" + o.partition + ":" + epoch)));
                args.add(bytes(key("epochs:" + view + ":" + o.partition)));
                args.add(bytes(Long.toString(epoch)));
                args.add(bytes(Integer.toString(changedGroups.size())));
                for (Group g : changedGroups) {
                    args.add(encodeGroup(g));
                    args.add(encodeAccs(v, groups.get(g).get(epoch)));
                }
            });
        });
        return redis(redis -> text(redis.eval(COMMIT, redisKeys, args)));
    }

    @Override
    public void scan(String view, long fromBucket, long toBucket, Predicate<GroupKey> dims, Visitor visitor) {
        CompiledView v = catalog.view(view);
        for (Epoch e : redis(redis -> live(redis, v, "", List.of(bytes("*"))))) {
            for (int i = 0; i + 1 < e.values().size(); i += 2) {
                Group g = decodeGroup(e.values().get(i));
                if (g.bucket() >= fromBucket && g.bucket() < toBucket && dims.test(g.dims())) {
                    visit(v, g, e.epoch(), e.values().get(i + 1), null, visitor);
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

    /** Visits the groups of {@code wanted} in every live epoch of every partition. */
    private void visitFound(CompiledView v, List<Group> wanted, boolean[] measures, Visitor visitor) {
        if (wanted.isEmpty()) {
            return;
        }
        List<byte[]> fields = wanted.stream().map(RedisRealtimeStore::encodeGroup).toList();
        for (Epoch e : redis(redis -> live(redis, v, "", fields))) {
            for (int i = 0; i < e.values().size(); i++) {
                if (e.values().get(i) != null) {
                    visit(v, wanted.get(i), e.epoch(), e.values().get(i), measures, visitor);
                }
            }
        }
    }

    private static void visit(CompiledView v, Group g, long epoch, byte[] value, boolean[] measures,
                              Visitor visitor) {
        Object[] accs = decodeAccs(v, value);
        if (measures != null) {
            for (int i = 0; i < accs.length; i++) {
                accs[i] = measures[i] ? accs[i] : null;
            }
        }
        visitor.visit(new StateKey(v.name(), g.dims(), g.bucket(), epoch), accs);
    }

    /**
     * One live epoch's hash of one partition, as {@link #READ} answered it: every field and value (field, value,
     * ...), or the values of the fields asked (null where absent), or its field count.
     */
    private record Epoch(long epoch, List<byte[]> values, long count) {
    }

    /** One round trip: the live epochs of the view's partitions (all, or {@code partition}) and their fields. */
    private List<Epoch> live(Jedis redis, CompiledView v, String partition, List<byte[]> fields) {
        List<byte[]> args = new ArrayList<>(fields.size() + 3);
        args.add(bytes(key("view:" + v.name() + ":")));
        args.add(bytes(key("epochs:" + v.name() + ":")));
        args.add(bytes(partition));
        args.addAll(fields);
        List<?> reply = (List<?>) redis.eval(READ, List.of(bytes(key("offsets:" + v.stream().name())),
                bytes(key("expired-through"))), args);
        List<Epoch> epochs = new ArrayList<>(reply.size() / 2);
        for (int i = 0; i + 1 < reply.size(); i += 2) {
            long epoch = Long.parseLong(text(reply.get(i)));
            if (reply.get(i + 1) instanceof Long count) {
                epochs.add(new Epoch(epoch, List.of(), count));
                continue;
            }
            List<byte[]> values = new ArrayList<>();
            for (Object value : (List<?>) reply.get(i + 1)) {
                values.add((byte[]) value);
            }
            epochs.add(new Epoch(epoch, values, values.size()));
        }
        return epochs;
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
     * Raises the mark and deletes the covered epochs' hashes, in one script from any process (one UNLINK per
     * epoch and partition, however many groups it holds), then drops them from the partitions written here.
     */
    @Override
    public void expireThrough(long epoch) {
        List<byte[]> args = new ArrayList<>(List.of(bytes(Long.toString(epoch))));
        for (String stream : catalog.config().streams().keySet()) {
            for (CompiledView v : catalog.hotViewsOf(stream)) {
                args.add(bytes(key("offsets:" + stream)));
                args.add(bytes(key("view:" + v.name() + ":")));
                args.add(bytes(key("epochs:" + v.name() + ":")));
            }
        }
        redis(redis -> redis.eval(EXPIRE, List.of(bytes(key("expired-through"))), args));
        for (Owned o : owned.values()) {
            o.lock.lock();
            try {
                o.prune(epoch);
            } finally {
                o.lock.unlock();
            }
        }
    }

    /** Redis keeps what was committed, as its persistence settings say: nothing to do here. */
    @Override
    public void checkpoint() {
    }

    /** The entries of the epochs after the mark, counted in Redis. */
    @Override
    public long size() {
        return redis(redis -> {
            long n = 0;
            for (String stream : catalog.config().streams().keySet()) {
                for (CompiledView v : catalog.hotViewsOf(stream)) {
                    n += live(redis, v, "", List.of()).stream().mapToLong(Epoch::count).sum();
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
            List<String> doomed = new ArrayList<>(List.of(key("offsets:" + stream), key("writers:" + stream)));
            for (String line : stored.split("\n")) {
                String view = line.substring(0, line.indexOf('='));
                for (String p : partitions) {
                    String epochs = key("epochs:" + view + ":" + p);
                    redis.smembers(epochs).forEach(e -> doomed.add(key("view:" + view + ":" + p + ":" + e)));
                    doomed.add(epochs);
                }
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

    private static long offset(String value) {
        return value == null || value.isEmpty() ? 0 : Long.parseLong(value);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(Object reply) {
        return new String((byte[]) reply, StandardCharsets.UTF_8);
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

    private static byte[] encodeAccs(CompiledView v, Object[] accs) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
            DataOutputStream out = new DataOutputStream(bytes);
            for (int i = 0; i < v.measures().length; i++) {
                v.measures()[i].write(accs[i], out);
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Object[] decodeAccs(CompiledView v, byte[] value) {
        try {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(value));
            Object[] accs = new Object[v.measures().length];
            for (int i = 0; i < accs.length; i++) {
                accs[i] = v.measures()[i].read(in);
            }
            return accs;
        } catch (IOException e) {
            throw new UncheckedIOException("an entry of view " + v.name() + " in Redis cannot be read", e);
        }
    }
}
