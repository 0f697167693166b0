package io.tandem.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tandem.redis.RedisServer;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The crash campaign of a split deployment: a cluster of processes started by {@code tandem-cluster up} (a Kafka
 * broker, a redis-server, two workers, a batch node with its automatic batch runs, a serving node) takes requests
 * of {@link #EVENTS_PER_REQUEST} events over HTTP from {@link #CLIENTS} clients, each request with an
 * {@code Idempotency-Key} and a {@code request} field of its own. {@code tandem.campaign.cycles} times (10 by
 * default) it is killed with {@code kill -9} after a random delay under that load (seeded by
 * {@code tandem.campaign.seed}), a worker and the serving node in turn, and restarted on the same data directory
 * and port; after a worker's restart the cycle waits until the two workers share the partitions again. A client
 * retries a request that got no answer (or a 503) with the same key until it is acknowledged, as
 * {@code tandem ingest} does. After the cycles the load stops, and once the serving node has caught up, the merged
 * views it answers (before and after a full batch run) and its alert history are compared with a plain reference
 * computed from the requests: every acknowledged request counted exactly once, any other wholly or not at all, and
 * each rule's alert fired once per request present.
 */
@Tag("slow")
class ClusterCrashCampaignTest {

    private static final int CYCLES = Integer.getInteger("tandem.campaign.cycles", 10);
    private static final long SEED = Long.getLong("tandem.campaign.seed", 20261203L);
    private static final int CLIENTS = 4;
    private static final int PARTITIONS = 4;
    private static final int EVENTS_PER_REQUEST = 50;
    private static final long QTY_PER_REQUEST = (long) EVENTS_PER_REQUEST * (EVENTS_PER_REQUEST + 1) / 2;
    private static final long BASE_TS = 1_735_689_600_000L;
    private static final long HOUR = 3_600_000L;
    private static final int ALERT_PAGE = 10_000;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CONFIG = """
            epoch: 1s
            streams:
              trades:
                time: ts
                lateness: 1s
                max_future: 1d
                min_time: 2024-01-01T00:00:00Z
                fields: {symbol: string, qty: long, request: long}
            views:
              by_request:
                from: trades
                group_by: [request]
                granularity: 1d
                measures: {n: count, qty: sum(qty)}
                needs: {user_waiting: true}
              by_symbol:
                from: trades
                group_by: [symbol]
                granularity: 1h
                measures: {n: count, qty: sum(qty), top: max(qty)}
                needs: {user_waiting: true}
            alerts:
              last_of_request: {stream: trades, for_each: [request], on: event, condition: "qty == 50"}
              request_complete: {view: by_request, on: update, condition: "n >= 50"}
            """;

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final Set<Long> acked = ConcurrentHashMap.newKeySet();
    private final AtomicLong nextRequest = new AtomicLong();
    private final AtomicInteger retried = new AtomicInteger();
    private final Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
    private final AtomicBoolean stop = new AtomicBoolean();
    private volatile String serving;

    /** The event time of event {@code i} of request {@code r}: in one of 240 hours after 2025-01-01T00:00:00Z. */
    private static long eventTime(long r, int i) {
        return BASE_TS + r % 240 * HOUR + i;
    }

    /** The symbol of event {@code i} of a request (qty {@code i + 1}). */
    private static String symbol(int i) {
        return "S" + i % 7;
    }

    private static byte[] body(long r) {
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < EVENTS_PER_REQUEST; i++) {
            body.append("{\"symbol\":\"").append(symbol(i)).append("\",\"qty\":").append(i + 1)
                    .append(",\"request\":").append(r).append(",\"ts\":").append(eventTime(r, i)).append("}\n");
        }
        return body.toString().getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void when_aWorkerOrTheServingNodeIsKilledUnderLoad_then_viewsAndAlertsHoldEveryAcknowledgedEventOnce()
            throws Exception {
        RedisServer.assumeInstalled();
        Path config = Files.writeString(dir.resolve("campaign.yaml"), CONFIG);
        LocalCluster cluster = new LocalCluster(dir.resolve("cluster"));
        List<LocalCluster.Proc> procs = cluster.up(config, 2, PARTITIONS, new PrintWriter(new StringWriter(), true));
        List<Thread> clients = new ArrayList<>();
        try {
            serving = procs.get(5).url();
            for (int c = 0; c < CLIENTS; c++) {
                Thread t = new Thread(this::client, "campaign-client-" + c);
                t.start();
                clients.add(t);
            }
            Random random = new Random(SEED);
            int workerKills = 0;
            int servingKills = 0;
            long workerBackMs = 0;
            long servingBackMs = 0;
            long started = System.nanoTime();
            for (int cycle = 0; cycle < CYCLES; cycle++) {
                // 1. under load: more requests acknowledged since the last restart
                int before = acked.size();
                await().atMost(Duration.ofSeconds(120)).until(() -> acked.size() > before);
                // 2. kill -9 a worker or the serving node in turn, after a random delay
                boolean killServing = cycle % 2 == 1;
                String victim = killServing ? "serving" : "worker-" + (1 + cycle / 2 % 2);
                Thread.sleep(random.nextInt(1_500));
                ProcessHandle process = proc(cluster, victim).handle().orElseThrow();
                process.destroyForcibly();
                process.onExit().get();
                // 3. the restart: on the same data directory and port; a worker's partitions are shared again
                long killed = System.nanoTime();
                cluster.restart(victim);
                if (killServing) {
                    servingKills++;
                    servingBackMs = Math.max(servingBackMs, (System.nanoTime() - killed) / 1_000_000);
                } else {
                    await().atMost(Duration.ofSeconds(120)).until(() -> partitionsShared(cluster));
                    workerKills++;
                    workerBackMs = Math.max(workerBackMs, (System.nanoTime() - killed) / 1_000_000);
                }
            }
            long killedMs = (System.nanoTime() - started) / 1_000_000;
            stop.set(true);
            for (Thread t : clients) {
                t.join();
            }

            // 4. the serving node catches up, then answers as the reference, before and after a full batch run
            await().atMost(Duration.ofSeconds(120)).untilAsserted(() -> assertThat(lags())
                    .as("the serving node's lag per partition; the workers: %s", workerStatuses(cluster))
                    .hasSize(PARTITIONS).containsOnly(0L));
            Map<Long, long[]> requests = requests();
            Set<Long> present = new HashSet<>(requests.keySet());
            int differingHot = symbolRowsDiffering(present);
            long version = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(serving
                    + "/v1/batch/run?full=true&wait=true")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString()).body()).path("version").asLong();
            await().atMost(Duration.ofSeconds(60)).until(() -> batchVersion() >= version);
            Map<Long, long[]> afterBatch = requests();
            int differingCold = symbolRowsDiffering(present);

            // 5. the alerts: each rule fires once per request present, never twice
            try {
                await().atMost(Duration.ofSeconds(60)).until(() -> missingAlerts(alerts(), present) == 0);
            } catch (ConditionTimeoutException e) {
                // counted below
            }
            List<JsonNode> alerts = alerts();
            long missingAlerts = missingAlerts(alerts, present);
            long duplicateAlerts = duplicateAlerts(alerts);

            long losses = acked.stream().filter(r -> !complete(requests.get(r)) || !complete(afterBatch.get(r)))
                    .count() + requests.values().stream().filter(v -> v[0] < EVENTS_PER_REQUEST).count();
            long doubles = requests.values().stream().filter(v -> v[0] > EVENTS_PER_REQUEST).count()
                    + afterBatch.values().stream().filter(v -> v[0] > EVENTS_PER_REQUEST).count();
            System.out.printf("crash, scale-out: %d cycles (%d worker kills, %d serving kills), %d acknowledged "
                            + "events (%d requests present, %d retried), losses %d, double counts %d, view rows "
                            + "differing %d, missing alerts %d, duplicate alerts %d (%d s of kills; back after at "
                            + "most %.1f s (worker, partitions shared again) and %.1f s (serving); statuses %s)%n",
                    CYCLES, workerKills, servingKills, acked.size() * (long) EVENTS_PER_REQUEST, present.size(),
                    retried.get(), losses, doubles, differingHot + differingCold, missingAlerts, duplicateAlerts,
                    killedMs / 1000, workerBackMs / 1000.0, servingBackMs / 1000.0, statuses);

            assertThat(acked).as("acknowledged requests").hasSizeGreaterThan(CYCLES);
            assertThat(statuses.keySet()).as("statuses answered").isSubsetOf(200, 503);
            assertThat(present).as("requests present").containsAll(acked);
            assertThat(afterBatch.keySet()).as("requests present after a full batch run").isEqualTo(present);
            assertThat(losses).as("losses").isZero();
            assertThat(doubles).as("double counts").isZero();
            assertThat(differingHot).as("by_symbol rows differing from the reference").isZero();
            assertThat(differingCold).as("by_symbol rows differing after a full batch run").isZero();
            assertThat(missingAlerts).as("missing alerts").isZero();
            assertThat(duplicateAlerts).as("duplicate alerts").isZero();
        } finally {
            stop.set(true);
            for (Thread t : clients) {
                t.join();
            }
            cluster.down();
            keepLogs(dir.resolve("cluster").resolve("logs"));
        }
    }

    /** Copies the processes' logs to {@code target/cluster-crash-logs}, where they outlive the test. */
    private static void keepLogs(Path logs) throws IOException {
        Path kept = Files.createDirectories(Path.of("target", "cluster-crash-logs"));
        try (Stream<Path> files = Files.list(logs)) {
            for (Path f : files.toList()) {
                Files.copy(f, kept.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    /** One client: requests back to back, each retried with its key until acknowledged or the campaign ends. */
    private void client() {
        while (!stop.get()) {
            long r = nextRequest.getAndIncrement();
            byte[] body = body(r);
            for (int attempt = 0; !stop.get(); attempt++) {
                if (attempt == 1) {
                    retried.incrementAndGet();
                }
                if (post(r, body)) {
                    acked.add(r);
                    break;
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** Whether the request was acknowledged with every event accepted; false for no answer or another status. */
    private boolean post(long r, byte[] body) {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(serving
                            + "/v1/streams/trades/events")).header("Content-Type", "application/x-ndjson")
                    .header("Idempotency-Key", "campaign-" + r).POST(HttpRequest.BodyPublishers.ofByteArray(body))
                    .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
            statuses.computeIfAbsent(response.statusCode(), s -> new AtomicInteger()).incrementAndGet();
            return response.statusCode() == 200
                    && JSON.readTree(response.body()).path("accepted").asLong() == EVENTS_PER_REQUEST;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static LocalCluster.Proc proc(LocalCluster cluster, String name) throws IOException {
        return cluster.processes().stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow();
    }

    private JsonNode get(String url) throws IOException, InterruptedException {
        return JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60))
                .build(), HttpResponse.BodyHandlers.ofString()).body());
    }

    /** Whether each worker works some partitions, and together all of them, none twice. */
    private boolean partitionsShared(LocalCluster cluster) throws IOException, InterruptedException {
        List<Integer> worked = new ArrayList<>();
        for (LocalCluster.Proc p : cluster.processes()) {
            if (p.role().equals("worker")) {
                JsonNode partitions = get(p.url() + "/v1/status").at("/streams/trades/partitions");
                if (partitions.isEmpty()) {
                    return false;
                }
                partitions.forEach(n -> worked.add(n.asInt()));
            }
        }
        return worked.size() == PARTITIONS && new TreeSet<>(worked).size() == PARTITIONS;
    }

    /** The serving node's lag per partition: how far it has yet to follow the workers. */
    private List<Long> lags() throws IOException, InterruptedException {
        List<Long> lags = new ArrayList<>();
        get(serving + "/v1/status").at("/streams/trades/hot_path_lag_by_partition")
                .forEach(l -> lags.add(l.asLong()));
        return lags;
    }

    private String workerStatuses(LocalCluster cluster) throws IOException, InterruptedException {
        StringBuilder out = new StringBuilder();
        for (LocalCluster.Proc p : cluster.processes()) {
            if (p.role().equals("worker")) {
                out.append(p.name()).append(' ').append(get(p.url() + "/v1/status").get("streams")).append("; ");
            }
        }
        return out.toString();
    }

    private long batchVersion() throws IOException, InterruptedException {
        return get(serving + "/v1/batch").at("/current/version").asLong();
    }

    private JsonNode rows(String view) throws IOException, InterruptedException {
        return get(serving + "/v1/views/" + view + "?from=0&to=" + Long.MAX_VALUE).get("rows");
    }

    private static boolean complete(long[] v) {
        return v != null && v[0] == EVENTS_PER_REQUEST && v[1] == QTY_PER_REQUEST;
    }

    /** Per request in the merged view {@code by_request}: its events and their quantity. */
    private Map<Long, long[]> requests() throws IOException, InterruptedException {
        Map<Long, long[]> out = new HashMap<>();
        for (JsonNode row : rows("by_request")) {
            long[] v = out.computeIfAbsent(row.get("request").asLong(), r -> new long[2]);
            v[0] += row.get("n").asLong();
            v[1] += row.get("qty").asLong();
        }
        return out;
    }

    /** How many (symbol, hour) rows of the merged view {@code by_symbol} differ from the plain reference. */
    private int symbolRowsDiffering(Set<Long> present) throws IOException, InterruptedException {
        Map<List<Object>, long[]> expected = new HashMap<>();
        for (long r : present) {
            for (int i = 0; i < EVENTS_PER_REQUEST; i++) {
                long[] v = expected.computeIfAbsent(List.of(symbol(i), Math.floorDiv(eventTime(r, i), HOUR) * HOUR),
                        k -> new long[3]);
                v[0]++;
                v[1] += i + 1;
                v[2] = Math.max(v[2], i + 1);
            }
        }
        Map<List<Object>, long[]> actual = new HashMap<>();
        for (JsonNode row : rows("by_symbol")) {
            actual.put(List.of(row.get("symbol").asText(), Instant.parse(row.get("bucket").asText()).toEpochMilli()),
                    new long[]{row.get("n").asLong(), row.get("qty").asLong(), row.get("top").asLong()});
        }
        Set<List<Object>> keys = new HashSet<>(expected.keySet());
        keys.addAll(actual.keySet());
        int differing = 0;
        for (List<Object> k : keys) {
            if (!expected.containsKey(k) || !actual.containsKey(k)
                    || !Arrays.equals(expected.get(k), actual.get(k))) {
                differing++;
            }
        }
        return differing;
    }

    /**
     * The serving node's whole alert history, read newest first a page at a time: each page holds the newest
     * alerts fired before the previous page's oldest millisecond.
     */
    private List<JsonNode> alerts() throws IOException, InterruptedException {
        List<JsonNode> all = new ArrayList<>();
        long to = Long.MAX_VALUE;
        while (true) {
            List<JsonNode> page = new ArrayList<>();
            get(serving + "/v1/alerts?limit=" + ALERT_PAGE + "&to=" + to).get("alerts").forEach(page::add);
            if (page.size() < ALERT_PAGE) {
                all.addAll(page);
                return all;
            }
            Function<JsonNode, Long> firedAt = a -> Instant.parse(a.get("fired_at").asText()).toEpochMilli();
            long oldest = page.stream().map(firedAt).min(Long::compare).orElseThrow();
            page.stream().filter(a -> firedAt.apply(a) > oldest).forEach(all::add);
            to = oldest + 1;
        }
    }

    /** Per rule, the requests present that it has not fired for. */
    private static long missingAlerts(List<JsonNode> alerts, Set<Long> present) {
        Map<String, Set<Long>> fired = new HashMap<>();
        for (JsonNode a : alerts) {
            fired.computeIfAbsent(a.get("rule").asText(), r -> new HashSet<>()).add(a.at("/dims/request").asLong());
        }
        long missing = 0;
        for (String rule : List.of("last_of_request", "request_complete")) {
            Set<Long> f = fired.getOrDefault(rule, Set.of());
            missing += present.stream().filter(r -> !f.contains(r)).count();
        }
        return missing;
    }

    /** Alerts beyond the first with the same id, or of the same rule for the same request. */
    private static long duplicateAlerts(List<JsonNode> alerts) {
        Set<String> ids = new HashSet<>();
        Set<List<Object>> ruleRequests = new HashSet<>();
        long duplicates = 0;
        for (JsonNode a : alerts) {
            boolean newId = ids.add(a.get("id").asText());
            boolean newPair = ruleRequests.add(List.of(a.get("rule").asText(), a.at("/dims/request").asLong()));
            if (!newId || !newPair) {
                duplicates++;
            }
        }
        return duplicates;
    }
}
