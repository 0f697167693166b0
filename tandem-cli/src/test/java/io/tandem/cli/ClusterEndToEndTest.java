package io.tandem.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tandem.core.config.ConfigLoader;
import io.tandem.engine.Tandem;
import io.tandem.engine.TandemOptions;
import io.tandem.engine.query.ViewQuery;
import io.tandem.redis.RedisServer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The split deployment as separate processes, started by {@code tandem-cluster up}: a Kafka broker, a redis-server,
 * two workers, a batch node and a serving node. Over HTTP, shuffled trades with late events give the merged answers
 * of the embedded default and of a plain reference; then a worker is killed with {@code kill -9} in the middle of
 * the ingest, and the answers still equal the reference over every acknowledged request.
 */
@Tag("slow")
class ClusterEndToEndTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CONFIG = """
            epoch: 2s
            streams:
              trades:
                time: ts
                lateness: 1s
                fields: {symbol: string, price: double, qty: long}
            views:
              per_minute:
                from: trades
                group_by: [symbol]
                granularity: 1m
                measures: {trades: count, volume: sum(qty), high: max(price), close: last(price)}
            """;

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newHttpClient();

    /** Requests of shuffled trades over half an hour before {@code t0}: most out of order, most late. */
    private static List<List<Trade>> requests(long t0, int count, int seed) {
        Random random = new Random(seed);
        List<Trade> trades = new ArrayList<>();
        for (int i = 0; i < count * 400; i++) {
            trades.add(new Trade("S" + random.nextInt(6), random.nextInt(10_000) / 100.0, 1 + random.nextInt(50),
                    t0 - 1_800_000 + (long) i * 1_800_000 / (count * 400) + seed));
        }
        Collections.shuffle(trades, random);
        List<List<Trade>> requests = new ArrayList<>();
        for (int r = 0; r < count; r++) {
            requests.add(trades.subList(r * 400, (r + 1) * 400));
        }
        return requests;
    }

    private int post(String serving, List<Trade> request) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(serving + "/v1/streams/trades/events"))
                .header("Content-Type", "application/x-ndjson")
                .POST(HttpRequest.BodyPublishers.ofByteArray(Trade.body(request)))
                .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private Map<String, String> answer(String serving, long from, long to) throws Exception {
        JsonNode root = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(serving + "/v1/views/per_minute?from="
                + from + "&to=" + to)).build(), HttpResponse.BodyHandlers.ofString()).body());
        Map<String, String> rows = new TreeMap<>();
        for (JsonNode r : root.get("rows")) {
            long bucket = java.time.Instant.parse(r.get("bucket").asText()).toEpochMilli();
            rows.put(bucket + "/" + r.get("symbol").asText(), r.get("trades").asLong() + " "
                    + r.get("volume").asLong() + " " + r.get("high").asDouble() + " " + r.get("close").asDouble());
        }
        return rows;
    }

    /** The batch version a node merges with now. */
    private long current(String node) throws Exception {
        return JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(node + "/v1/batch")).build(),
                HttpResponse.BodyHandlers.ofString()).body()).at("/current/version").asLong();
    }

    /** The sources of the view's rows: realtime, batch or both. */
    private java.util.Set<String> sources(String serving, long from, long to) throws Exception {
        JsonNode root = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(serving + "/v1/views/per_minute?from="
                + from + "&to=" + to)).build(), HttpResponse.BodyHandlers.ofString()).body());
        java.util.Set<String> sources = new java.util.TreeSet<>();
        root.get("rows").forEach(r -> sources.add(r.get("source").asText()));
        return sources;
    }

    private static Map<String, String> embedded(Path data, List<List<Trade>> requests, long from, long to) {
        try (Tandem tandem = Tandem.start(ConfigLoader.parse(CONFIG, "embedded.yaml"),
                TandemOptions.defaults(data).withPartitions(4))) {
            for (List<Trade> r : requests) {
                tandem.ingest("trades", Trade.body(r), null);
            }
            assertThat(tandem.awaitCaughtUp(Duration.ofSeconds(60))).isTrue();
            return Trade.rows(tandem.query(new ViewQuery("per_minute", from, to, 0, Map.of())));
        }
    }

    @Test
    void aClusterOfProcesses_answersAsTheEmbeddedDefaultAndTheReference_evenWhenAWorkerIsKilledDuringIngest()
            throws Exception {
        RedisServer.assumeInstalled();
        Path config = dir.resolve("trades.yaml");
        Files.writeString(config, CONFIG);
        LocalCluster cluster = new LocalCluster(dir.resolve("cluster"));
        StringWriter printed = new StringWriter();
        List<LocalCluster.Proc> procs = cluster.up(config, 2, 4, new PrintWriter(printed, true));
        try {
            assertThat(procs).extracting(LocalCluster.Proc::role)
                    .containsExactly("kafka", "redis", "worker", "worker", "batch", "serving");
            String serving = procs.get(5).url();
            assertThat(printed.toString()).contains("serving " + serving);
            long t0 = System.currentTimeMillis();
            long from = t0 - 3_600_000;
            long to = t0 + 3_600_000;

            // 1. shuffled, late trades: the cluster answers as the embedded default and the reference
            List<List<Trade>> first = requests(t0, 5, 1);
            for (List<Trade> r : first) {
                assertThat(post(serving, r)).isEqualTo(200);
            }
            Map<String, String> expected = Trade.perMinute(first.stream().flatMap(List::stream).toList());
            assertThat(embedded(dir.resolve("embedded"), first, from, to)).isEqualTo(expected);
            await().atMost(Duration.ofSeconds(90)).untilAsserted(() ->
                    assertThat(answer(serving, from, to)).isEqualTo(expected));

            // 2. a batch run asked of the serving node runs on the batch node; the serving node follows it
            HttpResponse<String> forwarded = http.send(HttpRequest.newBuilder(URI.create(serving
                    + "/v1/batch/run?wait=true")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(forwarded.statusCode()).isEqualTo(200);
            long version = JSON.readTree(forwarded.body()).get("version").asLong();
            assertThat(version).isPositive();
            assertThat(current(procs.get(4).url())).isGreaterThanOrEqualTo(version);
            await().atMost(Duration.ofSeconds(30)).until(() -> current(serving) >= version);
            await().atMost(Duration.ofSeconds(90)).untilAsserted(() ->
                    assertThat(sources(serving, from, to)).contains("batch"));
            assertThat(answer(serving, from, to)).isEqualTo(expected);

            // 3. kill -9 a worker half-way through more ingest: every acknowledged request still counts once
            List<List<Trade>> second = requests(t0, 10, 2);
            List<List<Trade>> acknowledged = new ArrayList<>(first);
            for (int r = 0; r < second.size(); r++) {
                if (r == 4) {
                    ProcessHandle worker = procs.get(2).handle().orElseThrow();
                    worker.destroyForcibly();
                    worker.onExit().get();
                }
                if (post(serving, second.get(r)) == 200) {
                    acknowledged.add(second.get(r));
                }
            }
            assertThat(acknowledged).hasSize(15);
            Map<String, String> all = Trade.perMinute(acknowledged.stream().flatMap(List::stream).toList());
            await().atMost(Duration.ofSeconds(120)).untilAsserted(() ->
                    assertThat(answer(serving, from, to)).isEqualTo(all));
            JsonNode survivor = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(procs.get(3).url()
                    + "/v1/status")).build(), HttpResponse.BodyHandlers.ofString()).body());
            assertThat(survivor.at("/streams/trades/partitions")).hasSize(4);
            assertThat(cluster.processes()).extracting(p -> p.handle().isPresent())
                    .containsExactly(true, true, false, true, true, true);
        } finally {
            cluster.down();
        }
        assertThat(procs).allSatisfy(p -> assertThat(p.handle()).isEmpty());
        assertThat(cluster.processes()).isEmpty();
    }
}
