package io.tandem.cli;

import io.tandem.core.TandemConfig;
import io.tandem.core.config.ConfigLoader;
import io.tandem.engine.HotWorker;
import io.tandem.engine.Role;
import io.tandem.engine.Tandem;
import io.tandem.engine.alert.Alert;
import io.tandem.engine.ingest.IngestException;
import io.tandem.engine.TandemOptions;
import io.tandem.engine.batchview.BatchRun;
import io.tandem.engine.query.ViewQuery;
import io.tandem.kafka.KafkaBroker;
import io.tandem.redis.RedisServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * A split deployment in one JVM, on a real broker and a real redis-server: a serving node, a batch node sharing its
 * folder, and two hot-path workers that share the partitions through a Kafka consumer group. Merged answers equal a
 * plain reference over every acknowledged event, while the partitions move: a worker joins late and another leaves
 * half-way. And a serving node that was down while the workers applied events fires their alerts once it is back,
 * and takes a retried request once only.
 */
class ScaleOutTest {

    @TempDir
    Path dir;

    private static final String CONFIG = """
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
            """;

    /** Shuffled trades over ten minutes: each event time unique, so last(price) has one answer. */
    private static List<Trade> trades(long t0) {
        Random random = new Random(11);
        List<Trade> trades = new ArrayList<>();
        for (int i = 0; i < 3_000; i++) {
            trades.add(new Trade("S" + random.nextInt(5), random.nextInt(10_000) / 100.0, 1 + random.nextInt(100),
                    t0 + i * 200L));
        }
        Collections.shuffle(trades, random);
        return trades;
    }

    private static Map<String, String> answer(Tandem serving, long from, long to) {
        return Trade.rows(serving.query(new ViewQuery("per_minute", from, to, 0, Map.of())));
    }

    @Test
    void aServingNodeAndTwoWorkers_answerAsTheReference_whilePartitionsMoveBetweenWorkers() throws Exception {
        RedisServer.assumeInstalled();
        try (KafkaBroker kafka = new KafkaBroker(); RedisServer redis = new RedisServer(dir.resolve("redis"))) {
            TandemConfig config = ConfigLoader.parse(CONFIG + "log: {kind: kafka, bootstrap_servers: \""
                    + kafka.bootstrapServers() + "\"}\nstore: {kind: redis, url: \"" + redis.url() + "\"}\n",
                    "split.yaml");
            long t0 = (System.currentTimeMillis() / 60_000 - 20) * 60_000;
            List<Trade> trades = trades(t0);
            Path shared = dir.resolve("shared");
            Tandem batch = Tandem.start(config, TandemOptions.defaults(dir.resolve("batch")).withPartitions(4)
                    .withAutomaticBatchRuns(false).withSharedDir(shared).withRole(Role.BATCH));
            Tandem serving = Tandem.start(config, TandemOptions.defaults(dir.resolve("serving")).withPartitions(4)
                    .withSharedDir(shared).withRole(Role.SERVING));
            HotWorker first = HotWorker.start(config, TandemOptions.defaults(dir.resolve("w1")).withPartitions(4),
                    "e2e");
            HotWorker second = null;
            try {
                await().atMost(Duration.ofSeconds(60)).until(() -> first.worked().get("trades").size() == 4);
                int chunk = trades.size() / 6;
                for (int r = 0; r < 6; r++) {
                    byte[] body = Trade.body(trades.subList(r * chunk, (r + 1) * chunk));
                    assertThat(serving.ingest("trades", body, null).accepted())
                            .isEqualTo(chunk);
                    // asked while the workers are still applying: an answer must never stick once they have
                    assertThat(answer(serving, t0 - 3_600_000, t0 + 3_600_000)).isNotNull();
                    if (r == 1) {
                        second = HotWorker.start(config, TandemOptions.defaults(dir.resolve("w2")).withPartitions(4),
                                "e2e");
                        HotWorker joined = second;
                        await().atMost(Duration.ofSeconds(60)).until(() -> joined.worked().get("trades").size() == 2
                                && first.worked().get("trades").size() == 2);
                    }
                    if (r == 3 || r == 5) {
                        // once an epoch of arrivals has sealed, the batch layer takes it over from the workers
                        await().atMost(Duration.ofSeconds(60)).until(() -> {
                            BatchRun run = batch.runBatch(false).join();
                            return run.status().equals("published") && run.rows() > 0;
                        });
                        long published = batch.batchVersion().version();
                        await().atMost(Duration.ofSeconds(30)).until(() ->
                                serving.batchVersion().version() == published);
                        assertThat(serving.runBatch(false)).isCompletedExceptionally();
                        if (r == 5) {
                            continue;
                        }
                        first.close();
                        HotWorker remaining = second;
                        await().atMost(Duration.ofSeconds(60)).until(() ->
                                remaining.worked().get("trades").size() == 4);
                    }
                }
                Map<String, String> expected = Trade.perMinute(trades);
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                        assertThat(answer(serving, t0 - 3_600_000, t0 + 3_600_000)).isEqualTo(expected));
            } finally {
                if (second != null) {
                    second.close();
                }
                first.close();
                serving.close();
                batch.close();
            }
            assertThatThrownBy(() -> HotWorker.start(ConfigLoader.parse(CONFIG, "file.yaml"),
                    TandemOptions.defaults(dir.resolve("w3")), "e2e"))
                    .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("use log: {kind: kafka}");
        }
    }

    /**
     * A serving node restarted at the real-time store's committed offset never told its alerts about the events
     * the workers had applied while it was down (or, after a {@code kill -9}, before its alert thread had fsynced
     * them): here requests that another serving node took meanwhile, into either partition.
     */
    @Test
    void when_theWorkersApplyEventsWhileTheServingNodeIsDown_then_itFiresTheirAlertsOnceWhenBack() throws Exception {
        RedisServer.assumeInstalled();
        try (KafkaBroker kafka = new KafkaBroker(); RedisServer redis = new RedisServer(dir.resolve("redis"))) {
            TandemConfig config = ConfigLoader.parse(CONFIG + "alerts:\n  big: {stream: trades, on: event, "
                    + "condition: \"qty >= 100\"}\nlog: {kind: kafka, bootstrap_servers: \"" + kafka.bootstrapServers()
                    + "\"}\nstore: {kind: redis, url: \"" + redis.url() + "\"}\n", "alerts.yaml");
            long t0 = System.currentTimeMillis() / 60_000 * 60_000 - 600_000;
            TandemOptions servingOptions = TandemOptions.defaults(dir.resolve("serving")).withPartitions(2)
                    .withSharedDir(dir.resolve("shared")).withRole(Role.SERVING);
            try (HotWorker worker = HotWorker.start(config, TandemOptions.defaults(dir.resolve("w")).withPartitions(2),
                    "alerts")) {
                await().atMost(Duration.ofSeconds(60)).until(() -> worker.worked().get("trades").size() == 2);
                try (Tandem serving = Tandem.start(config, servingOptions)) {
                    serving.ingest("trades", Trade.body(List.of(new Trade("A", 1.0, 100, t0))), null);
                    await().atMost(Duration.ofSeconds(60)).until(() -> alerts(serving).size() == 1);
                }
                // while it is down, another serving node takes a request into each partition, and the worker applies
                try (Tandem other = Tandem.start(config, TandemOptions.defaults(dir.resolve("other")).withPartitions(2)
                        .withSharedDir(dir.resolve("other-shared")).withRole(Role.SERVING))) {
                    other.ingest("trades", Trade.body(List.of(new Trade("B", 2.0, 200, t0 + 1))), null);
                    other.ingest("trades", Trade.body(List.of(new Trade("C", 3.0, 300, t0 + 2))), null);
                    assertThat(other.awaitCaughtUp(Duration.ofSeconds(60))).isTrue();
                }
                try (Tandem serving = Tandem.start(config, servingOptions)) {
                    await().atMost(Duration.ofSeconds(60)).until(() -> alerts(serving).size() == 3);
                    assertThat(serving.awaitCaughtUp(Duration.ofSeconds(60))).isTrue();
                    assertThat(alerts(serving)).extracting(a -> a.values().get("symbol"))
                            .containsExactlyInAnyOrder("A", "B", "C");
                    assertThat(alerts(serving).stream().map(a -> a.id()).collect(Collectors.toSet())).hasSize(3);
                }
            }
        }
    }

    /**
     * A restarted serving node did not find an {@code Idempotency-Key} that its earlier run had appended while no
     * worker had applied it yet (a {@code kill -9} after the append and before the answer, say), and appended the
     * retried request again: it counted twice.
     */
    @Test
    void when_aRequestIsRetriedAtARestartedServingNodeBeforeAWorkerAppliedIt_then_itCountsOnce() throws Exception {
        RedisServer.assumeInstalled();
        try (KafkaBroker kafka = new KafkaBroker(); RedisServer redis = new RedisServer(dir.resolve("redis"))) {
            TandemConfig config = ConfigLoader.parse(CONFIG + "log: {kind: kafka, bootstrap_servers: \""
                    + kafka.bootstrapServers() + "\"}\nstore: {kind: redis, url: \"" + redis.url() + "\"}\n",
                    "retry.yaml");
            long t0 = System.currentTimeMillis() / 60_000 * 60_000 - 600_000;
            byte[] body = Trade.body(List.of(new Trade("A", 1.0, 100, t0)));
            TandemOptions servingOptions = TandemOptions.defaults(dir.resolve("serving")).withPartitions(2)
                    .withSharedDir(dir.resolve("shared")).withRole(Role.SERVING);
            try (Tandem serving = Tandem.start(config, servingOptions)) {
                assertThat(serving.ingest("trades", body, "request-1").accepted()).isEqualTo(1);
            }
            try (Tandem serving = Tandem.start(config, servingOptions)) {
                // no worker has applied the first append: the key cannot be looked up yet
                assertThatThrownBy(() -> serving.ingest("trades", body, "request-1"))
                        .isInstanceOf(IngestException.class).hasMessageContaining("retry later")
                        .extracting(e -> ((IngestException) e).kind()).isEqualTo(IngestException.Kind.OVERLOADED);
                try (HotWorker worker = HotWorker.start(config, TandemOptions.defaults(dir.resolve("w"))
                        .withPartitions(2), "retry")) {
                    await().atMost(Duration.ofSeconds(60)).until(() -> worker.worked().get("trades").size() == 2);
                    assertThat(serving.ingest("trades", body, "request-1").accepted()).isEqualTo(1);
                    assertThat(serving.awaitCaughtUp(Duration.ofSeconds(60))).isTrue();
                    assertThat(answer(serving, t0 - 60_000, t0 + 60_000)).isEqualTo(Trade.perMinute(List.of(
                            new Trade("A", 1.0, 100, t0))));
                }
            }
        }
    }

    private static List<Alert> alerts(Tandem serving) {
        return serving.alerts().history(Long.MIN_VALUE, Long.MAX_VALUE, null, Integer.MAX_VALUE);
    }
}
