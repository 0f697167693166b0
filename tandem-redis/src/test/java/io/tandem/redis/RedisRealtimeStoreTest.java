package io.tandem.redis;

import io.tandem.core.GroupKey;
import io.tandem.core.MeasureDef;
import io.tandem.core.TandemConfig;
import io.tandem.core.ViewDef;
import io.tandem.core.codec.BinaryRow;
import io.tandem.core.codec.RowCodec;
import io.tandem.spi.store.RealtimeStore;
import io.tandem.spi.store.StateKey;
import io.tandem.spi.store.StoreUnavailableException;
import io.tandem.spi.testkit.RealtimeStoreContract;
import io.tandem.spi.view.Catalog;
import io.tandem.spi.view.CompiledView;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.params.RestoreParams;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The Redis store passes the contract against a real redis-server, and shares its state between processes. */
class RedisRealtimeStoreTest extends RealtimeStoreContract {

    @TempDir
    static Path dir;
    static RedisServer server;

    /** Each test's keys under a prefix of its own, on the one server. */
    private final String prefix = "test-" + UUID.randomUUID() + ":";

    @BeforeAll
    static void startRedis() throws Exception {
        RedisServer.assumeInstalled();
        server = new RedisServer(dir.resolve("redis"));
    }

    @AfterAll
    static void stopRedis() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    @Override
    protected RealtimeStore open() {
        return open(catalog);
    }

    private RedisRealtimeStore open(Catalog catalog) {
        return new RedisRealtimeStore(catalog, server.pool(), prefix);
    }

    @Override
    protected RealtimeStore reopen(RealtimeStore store) {
        store.checkpoint();
        store.close();
        return open();
    }

    /** Another store on the same server and prefix: another process. */
    private Map<StateKey, List<Object>> contentsSeenBy(RealtimeStore other) {
        Map<StateKey, Object[]> merged = new HashMap<>();
        other.scan("per_k", Long.MIN_VALUE, Long.MAX_VALUE, d -> true, (k, a) -> merged.merge(k, a, view::merge));
        Map<StateKey, List<Object>> out = new HashMap<>();
        merged.forEach((k, a) -> out.put(k, List.of(view.results(a))));
        return out;
    }

    @Test
    void anotherProcessReadsEachCommitAtOnce() {
        try (RealtimeStore reader = open()) {
            store.acquire("s", 0);
            store.commit("s", 0, 3, deltas(key("a", 0, 1), accs(1, 2)), List.of());
            assertThat(contentsSeenBy(reader)).containsOnly(Map.entry(key("a", 0, 1), List.of(2L, 3L)));
            assertThat(reader.committedOffset("s", 0)).isEqualTo(3);

            store.commit("s", 0, 4, deltas(key("a", 0, 1), accs(4)), List.of());
            assertThat(contentsSeenBy(reader)).containsOnly(Map.entry(key("a", 0, 1), List.of(3L, 7L)));
            assertThat(reader.size()).isEqualTo(1);
        }
    }

    @Test
    void aWriterWhosePartitionWasTakenOver_isRefused_andChangesNothing() {
        store.acquire("s", 0);
        store.commit("s", 0, 3, deltas(key("a", 0, 1), accs(1)), List.of());
        try (RealtimeStore successor = open()) {
            assertThat(successor.acquire("s", 0)).isEqualTo(3);

            assertThatThrownBy(() -> store.commit("s", 0, 5, deltas(key("a", 0, 1), accs(100)), List.of()))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("another writer acquired");
            assertThat(successor.committedOffset("s", 0)).isEqualTo(3);
            assertThat(contentsSeenBy(successor)).containsOnly(Map.entry(key("a", 0, 1), List.of(1L, 1L)));

            successor.commit("s", 0, 4, deltas(key("a", 0, 1), accs(2)), List.of());
            assertThat(contentsSeenBy(store)).containsOnly(Map.entry(key("a", 0, 1), List.of(2L, 3L)));
            // the fenced writer stays fenced until it acquires again, and then merges over the successor's commits
            assertThatThrownBy(() -> store.commit("s", 0, 9, deltas(key("a", 0, 1), accs(100)), List.of()))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("acquire it first");
            assertThat(store.acquire("s", 0)).isEqualTo(4);
            store.commit("s", 0, 5, deltas(key("a", 0, 1), accs(4)), List.of());
            assertThat(contentsSeenBy(successor)).containsOnly(Map.entry(key("a", 0, 1), List.of(3L, 7L)));
        }
    }

    @Test
    void whenRedisLostCommits_theWriterIsRefused_andReplaysFromWhatRedisKept() {
        store.acquire("s", 0);
        store.commit("s", 0, 3, deltas(key("a", 0, 1), accs(1)), List.of());
        try (Jedis redis = new Jedis(URI.create(server.url()))) {
            byte[] hash = (prefix + "view:per_k:0:1").getBytes(StandardCharsets.UTF_8);
            byte[] offsets = (prefix + "offsets:s").getBytes(StandardCharsets.UTF_8);
            byte[] hashAt3 = redis.dump(hash);
            byte[] offsetsAt3 = redis.dump(offsets);
            store.commit("s", 0, 5, deltas(key("b", 0, 1), accs(2)), List.of());
            // Redis restarted without its last commit (appendfsync everysec): back at offset 3, b gone
            redis.restore(hash, 0, hashAt3, RestoreParams.restoreParams().replace());
            redis.restore(offsets, 0, offsetsAt3, RestoreParams.restoreParams().replace());

            // the writer's memory holds b: a commit of a alone would lose it, so it is refused
            assertThatThrownBy(() -> store.commit("s", 0, 6, deltas(key("a", 0, 1), accs(4)), List.of()))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("is not at offset 5");
            assertThat(store.acquire("s", 0)).isEqualTo(3);
            store.commit("s", 0, 6, deltas(key("b", 0, 1), accs(2), key("a", 0, 1), accs(4)), List.of());
        }
        assertThat(contents()).containsOnly(Map.entry(key("a", 0, 1), List.of(2L, 5L)),
                Map.entry(key("b", 0, 1), List.of(1L, 2L)));
    }

    @Test
    void aCommitIsOneScript_whateverTheNumberOfGroups() {
        store.acquire("s", 0);
        Map<StateKey, Object[]> batch = new HashMap<>();
        for (int i = 0; i < 500; i++) {
            batch.put(key("k" + i, 0, 1), accs(i));
        }
        try (Jedis redis = new Jedis(URI.create(server.url()))) {
            redis.configResetStat();
            store.commit("s", 0, 500, batch, List.of());
            Map<String, Long> calls = calls(redis.info("commandstats"));

            // one round trip; inside it: the token and offset checks, the mark, one HSET per group, the epoch and
            // the offset
            assertThat(calls).containsEntry("eval", 1L).containsEntry("hget", 2L).containsEntry("get", 1L)
                    .containsEntry("hset", 501L).containsEntry("sadd", 1L);
            assertThat(calls).containsOnlyKeys("eval", "hget", "get", "hset", "sadd");
        }
        assertThat(contents()).hasSize(500);
    }

    private static Map<String, Long> calls(String commandStats) {
        Map<String, Long> calls = new LinkedHashMap<>();
        Matcher m = Pattern.compile("cmdstat_(\\w+):calls=(\\d+)").matcher(commandStats);
        while (m.find()) {
            calls.put(m.group(1), Long.parseLong(m.group(2)));
        }
        return calls;
    }

    @Test
    void expiryFromAnotherProcess_deletesEachCoveredEpochWhole_andLaterCommitsOfItAreDropped() {
        store.acquire("s", 0);
        Map<StateKey, Object[]> batch = new HashMap<>();
        for (int i = 0; i < 25_000; i++) {
            batch.put(key("k" + i, 0, 1), accs(1));
        }
        batch.put(key("a", 0, 2), accs(2));
        batch.put(key("a", 0, 3), accs(4));
        store.commit("s", 0, 1, batch, List.of());
        try (RealtimeStore batchNode = open(); Jedis redis = new Jedis(URI.create(server.url()))) {
            redis.configResetStat();

            batchNode.expireThrough(2);

            // one script: the mark, and one UNLINK per covered epoch however many groups it holds
            assertThat(calls(redis.info("commandstats"))).containsEntry("eval", 1L).containsEntry("unlink", 2L)
                    .doesNotContainKey("hdel");
            assertThat(redis.exists(prefix + "view:per_k:0:1")).isFalse();
            assertThat(redis.smembers(prefix + "epochs:per_k:0")).containsExactly("3");
            assertThat(contentsSeenBy(batchNode)).containsOnlyKeys(key("a", 0, 3));
            assertThat(batchNode.size()).isEqualTo(1);

            // the writer learns the mark from its next commit: an epoch the batch covers no longer enters the store
            store.commit("s", 0, 2, deltas(key("a", 0, 2), accs(8), key("a", 0, 3), accs(16)), List.of());
            assertThat(contentsSeenBy(batchNode)).containsOnly(Map.entry(key("a", 0, 3), List.of(2L, 20L)));
            assertThat(redis.exists(prefix + "view:per_k:0:2")).isFalse();
        }
    }

    @Test
    void aStreamWhoseViewsWereRedefined_startsEmptyAtOffsetZero() {
        store.acquire("s", 0);
        store.commit("s", 0, 7, deltas(key("a", 0, 1), accs(1)), List.of());
        store.close();
        Map<String, MeasureDef> measures = new LinkedHashMap<>();
        measures.put("n", new MeasureDef("n", "count", null, null, null));
        Catalog redefined = new Catalog(new TandemConfig(3_600_000, Map.of("s", STREAM),
                Map.of("per_k", new ViewDef("per_k", "s", List.of("k"), 60_000, null, measures))));

        store = open(redefined);

        assertThat(store.committedOffset("s", 0)).isZero();
        assertThat(store.size()).isZero();
        assertThat(store.acquire("s", 0)).isZero();
    }

    @Test
    void sketchesAndFirstLastSurviveTheRoundTripThroughRedis() {
        Map<String, MeasureDef> m = new LinkedHashMap<>();
        m.put("p50", new MeasureDef("p50", "quantile", "v", 0.5, null));
        m.put("keys", new MeasureDef("keys", "distinct", "k", null, null));
        m.put("last_v", new MeasureDef("last_v", "last", "v", null, null));
        TandemConfig config = new TandemConfig(3_600_000, Map.of("s", STREAM),
                Map.of("per_k", new ViewDef("per_k", "s", List.of(), 60_000, null, m)));
        Catalog sketches = new Catalog(config);
        store.close();
        store = open(sketches);
        CompiledView v = sketches.view("per_k");
        Object[] accs = v.createAccumulators();
        RowCodec codec = new RowCodec(STREAM);
        BinaryRow row = codec.reader();
        for (int i = 1; i <= 1_000; i++) {
            byte[] p = codec.builder().reset(0).setString(0, "k" + i % 37).setLong(1, i).encode();
            v.add(accs, row.reset(p, 0, p.length, i, i));
        }
        // a quantile sketch compacts at random: the reference is this very sketch, read before it leaves
        Object[] expected = v.results(accs);
        assertThat(expected[1]).isEqualTo(37L);
        store.acquire("s", 0);
        store.commit("s", 0, 1_000, Map.of(new StateKey("per_k", GroupKey.of(), 0, 1), accs),
                List.of());

        try (RealtimeStore reader = open(sketches)) {
            List<Object[]> seen = new ArrayList<>();
            reader.read("per_k", GroupKey.of(), 0, null, (k, a) -> seen.add(v.results(a)));
            assertThat(seen).hasSize(1);
            assertThat(seen.get(0)).containsExactly(expected);
        }
    }

    @Test
    void aServerThatIsDown_isStoreUnavailable_andAfterItsRestartTheWriterGoesOnFromWhatItKept() throws Exception {
        Path own = dir.resolve("restarted-" + UUID.randomUUID());
        RedisServer first = new RedisServer(own);
        try (RedisRealtimeStore writer = new RedisRealtimeStore(catalog, first.pool(), prefix)) {
            writer.acquire("s", 0);
            writer.commit("s", 0, 2, deltas(key("a", 0, 1), accs(1, 2)), List.of());
            first.close();

            assertThatThrownBy(() -> writer.committedOffset("s", 0)).isInstanceOf(StoreUnavailableException.class)
                    .hasMessageContaining("cannot be reached");
            assertThatThrownBy(() -> writer.commit("s", 0, 3, deltas(key("a", 0, 1), accs(4)), List.of()))
                    .isInstanceOf(StoreUnavailableException.class);

            try (RedisServer again = new RedisServer(own, first.port())) {
                // the append-only file kept the commit; the failed one changed nothing, and the writer must
                // acquire again, which replays from offset 2
                assertThat(writer.acquire("s", 0)).isEqualTo(2);
                writer.commit("s", 0, 3, deltas(key("a", 0, 1), accs(4)), List.of());
                assertThat(contentsSeenBy(writer)).containsOnly(Map.entry(key("a", 0, 1), List.of(3L, 7L)));
            }
        }
    }
}
