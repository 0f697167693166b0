package io.tandem.cli;

import io.tandem.core.TandemConfig;
import io.tandem.core.config.ConfigLoader;
import io.tandem.engine.Tandem;
import io.tandem.engine.TandemOptions;
import io.tandem.engine.alert.Alert;
import io.tandem.engine.batchview.BatchRun;
import io.tandem.engine.query.QueryResult;
import io.tandem.engine.query.ViewQuery;
import io.tandem.redis.RedisServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The same config on the Redis store gives the embedded store's answers, and both equal a plain reference over
 * every acknowledged event: shuffled and late events, batch runs that take epochs over from the hot path, and a
 * restart that resumes from the offsets Redis committed. Alerts, which read merged rows, fire the same.
 */
class RedisStoreEndToEndTest {

    private static final long T = 1_800_000_000_000L;
    private static final long EPOCH_MS = 1_000;

    @TempDir
    Path dir;

    private static String config(String store) {
        return """
                epoch: 1s
                streams:
                  trades:
                    time: ts
                    fields: {symbol: string, price: double, qty: long}
                views:
                  per_minute:
                    from: trades
                    group_by: [symbol]
                    granularity: 1m
                    measures: {trades: count, volume: sum(qty), high: max(price), close: last(price)}
                alerts:
                  busy_minute:
                    view: per_minute
                    on: update
                    condition: "trades >= 45"
                """ + store;
    }

    /** Four requests of shuffled trades over ten minutes around {@code T}: most are out of order, many late. */
    private static List<List<Trade>> requests() {
        Random random = new Random(7);
        List<Long> times = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            times.add(T - 300_000 + i * 300L);
        }
        Collections.shuffle(times, random);
        List<List<Trade>> requests = new ArrayList<>();
        for (int r = 0; r < 4; r++) {
            List<Trade> request = new ArrayList<>();
            for (long ts : times.subList(r * 500, (r + 1) * 500)) {
                request.add(new Trade("S" + random.nextInt(5), random.nextInt(10_000) / 100.0,
                        1 + random.nextInt(100), ts));
            }
            requests.add(request);
        }
        return requests;
    }

    /** What a run answers: per "bucket/symbol", the view's row and whether busy_minute fired. */
    private record Answers(Map<String, String> rows, Set<String> alerts) {
    }

    /** The groups busy_minute fires for: those that reach 45 trades. */
    private static Set<String> busy(Map<String, String> rows) {
        Set<String> busy = new TreeSet<>();
        rows.forEach((g, row) -> {
            if (Long.parseLong(row.substring(0, row.indexOf(' '))) >= 45) {
                busy.add(g);
            }
        });
        return busy;
    }

    /** Ingests the requests with two batch runs and a restart in between, and answers the view. */
    private static Answers run(TandemConfig config, Path data, List<List<Trade>> requests, int alerts) {
        AtomicLong clock = new AtomicLong(T);
        TandemOptions options = TandemOptions.defaults(data).withPartitions(2).withClock(clock::get)
                .withAutomaticBatchRuns(false);
        Tandem tandem = Tandem.start(config, options);
        try {
            for (int r = 0; r < requests.size(); r++) {
                assertThat(tandem.ingest("trades", Trade.body(requests.get(r)), null).accepted())
                        .isEqualTo(requests.get(r).size());
                assertThat(tandem.awaitCaughtUp(Duration.ofSeconds(60))).isTrue();
                clock.addAndGet(3 * EPOCH_MS);
                if (r == 0 || r == 2) {
                    BatchRun run = tandem.runBatch(false).join();
                    assertThat(run.status()).isEqualTo("published");
                }
                if (r == 1) {
                    tandem.close();
                    tandem = Tandem.start(config, options);
                }
            }
            assertThat(tandem.awaitCaughtUp(Duration.ofSeconds(60))).isTrue();
            QueryResult result = tandem.query(new ViewQuery("per_minute", T - 3_600_000, T + 3_600_000, 0,
                    Map.of()));
            assertThat(result.rows()).extracting(QueryResult.Row::source).contains("both");
            Map<String, String> rows = Trade.rows(result);
            Tandem last = tandem;
            await().atMost(Duration.ofSeconds(60)).until(() -> fired(last).size() >= alerts);
            return new Answers(rows, fired(tandem));
        } finally {
            tandem.close();
        }
    }

    private static Set<String> fired(Tandem tandem) {
        Set<String> fired = new TreeSet<>();
        for (Alert a : tandem.alerts().history(Long.MIN_VALUE, Long.MAX_VALUE, "busy_minute", Integer.MAX_VALUE)) {
            assertThat(fired.add(a.bucket() + "/" + a.dims().get("symbol"))).as("fired once: %s", a).isTrue();
        }
        return fired;
    }

    @Test
    void theRedisStore_answersAsTheEmbeddedOneAndTheReference_acrossBatchRunsAndARestart() throws Exception {
        RedisServer.assumeInstalled();
        List<List<Trade>> requests = requests();
        Map<String, String> expected = Trade.perMinute(requests.stream().flatMap(List::stream).toList());
        try (RedisServer redis = new RedisServer(dir.resolve("redis"))) {
            Set<String> busy = busy(expected);
            assertThat(busy).isNotEmpty().hasSizeLessThan(expected.size());
            Answers embedded = run(ConfigLoader.parse(config(""), "memory.yaml"), dir.resolve("memory"), requests,
                    busy.size());
            TandemConfig onRedisConfig = ConfigLoader.parse(config("store: {kind: redis, url: \"" + redis.url()
                    + "\", key_prefix: \"e2e:\"}\n"), "redis.yaml");
            Answers onRedis = run(onRedisConfig, dir.resolve("redis-data"), requests, busy.size());

            assertThat(embedded.rows()).isEqualTo(expected);
            assertThat(onRedis.rows()).isEqualTo(expected);
            assertThat(embedded.alerts()).isEqualTo(busy);
            assertThat(onRedis.alerts()).isEqualTo(busy);
            try (Jedis jedis = new Jedis(URI.create(redis.url()))) {
                // the hot path's state is in Redis, committed through the last offset of both partitions
                assertThat(jedis.hlen("e2e:offsets:trades")).isEqualTo(2);
                long committed = jedis.hvals("e2e:offsets:trades").stream().mapToLong(Long::parseLong).sum();
                assertThat(committed).isGreaterThanOrEqualTo(2_000);
            }
            // another data directory on the same prefix would resume from offsets of a log it does not have
            assertThatThrownBy(() -> Tandem.start(onRedisConfig, TandemOptions.defaults(dir.resolve("other"))
                    .withPartitions(2))).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("past the end of this data directory's log")
                    .hasMessageContaining("store.key_prefix");
        }
    }
}
