package io.tandem.engine.crash;

import io.tandem.engine.Tandem;
import io.tandem.engine.TandemOptions;
import io.tandem.engine.alert.Alert;
import io.tandem.engine.query.QueryResult;
import io.tandem.engine.query.ViewQuery;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static io.tandem.engine.crash.CampaignChild.EVENTS_PER_REQUEST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The crash campaign: {@code tandem.campaign.cycles} times (50 by default) a {@link CampaignChild} ingests under
 * load while batch runs, checkpoints, reports and alerts go on, and is killed with {@code kill -9} after a random
 * delay (seeded by {@code tandem.campaign.seed}); each cycle aims at one phase in turn and, but for appends (always
 * under way), kills at that phase's next step, seen through a watch on the folder it writes in. Where each kill
 * landed is then read from what it left behind: a request sent and not acknowledged (append), a temporary
 * checkpoint, lake, batch view or report file or an empty lake epoch folder, or a torn last line of the alert
 * history (or a kill at its append, which leaves none). Then one restart, and the merged views, the lake and the
 * alert history are compared with a plain reference computed from the requests: every acknowledged request counted
 * once, any other wholly or not at all, and each rule's alert fired exactly once per request.
 */
@Tag("slow")
class CrashCampaignTest {

    private static final int CYCLES = Integer.getInteger("tandem.campaign.cycles", 50);
    private static final long SEED = Long.getLong("tandem.campaign.seed", 20261203L);
    private static final List<String> PHASES = List.of("append", "checkpoint", "lake write", "batch publish",
            "report write", "alert persist");
    /**
     * Where each phase shows first: the folder it creates (or, for the alerts, appends) a file in. Appends go on
     * all the time: a cycle aimed at them kills after the random delay only.
     */
    private static final Map<String, String> WATCHED = Map.of("checkpoint", "store/trades",
            "lake write", "lake/trades", "batch publish", "batch", "report write", "reports/daily_volume",
            "alert persist", "alerts");
    private static final long QTY_PER_REQUEST = (long) EVENTS_PER_REQUEST * (EVENTS_PER_REQUEST + 1) / 2;

    @Test
    void when_killedAtRandomMomentsUnderLoad_then_viewsLakeAndAlertsHoldEveryAcknowledgedEventOnce(@TempDir Path dir)
            throws Exception {
        Set<Long> acked = ConcurrentHashMap.newKeySet();
        Map<String, Integer> hits = new LinkedHashMap<>();
        PHASES.forEach(p -> hits.put(p, 0));
        Random random = new Random(SEED);
        Map<Path, String> leftBefore = Map.of();
        long started = System.nanoTime();
        for (int cycle = 0; cycle < CYCLES; cycle++) {
            // 1. a child ingests from request cycle * 1e6 on, so no two children number a request alike
            // C1 only: a child lives a second or two, and starts much sooner without the C2 compiler
            Process child = new ProcessBuilder(javaBin(), "-XX:TieredStopAtLevel=1", "-cp",
                    System.getProperty("java.class.path"),
                    CampaignChild.class.getName(), dir.toString(), Long.toString(cycle * 1_000_000L))
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                    StandardCharsets.UTF_8));
            assertThat(out.readLine()).as("cycle %d", cycle).isEqualTo("started");
            AtomicReference<String> last = new AtomicReference<>("");
            Thread reader = new Thread(() -> read(out, acked, last));
            reader.start();
            // 2. the fault: kill -9 after a random delay, at the cycle's phase's next step if it has one
            String target = PHASES.get(cycle % PHASES.size());
            boolean triggered;
            try (WatchService watch = dir.getFileSystem().newWatchService()) {
                String folder = WATCHED.get(target);
                boolean watching = folder != null && Files.isDirectory(dir.resolve(folder));
                if (watching) {
                    dir.resolve(folder).register(watch, StandardWatchEventKinds.ENTRY_CREATE,
                            StandardWatchEventKinds.ENTRY_MODIFY);
                }
                Thread.sleep(100 + random.nextInt(600));
                triggered = watching && awaitStep(watch, target);
                child.destroyForcibly().waitFor();
            }
            reader.join();
            // 3. where it landed
            if (last.get().startsWith("send ")) {
                hits.merge("append", 1, Integer::sum);
            }
            Map<Path, String> left = leftovers(dir);
            Set<String> landed = new HashSet<>();
            for (Map.Entry<Path, String> file : left.entrySet()) {
                if (!file.getValue().equals(leftBefore.get(file.getKey()))) {
                    landed.add(phaseOf(dir.relativize(file.getKey())));
                }
            }
            if (tornAlertLine(dir.resolve("alerts").resolve("alerts.jsonl"))
                    || triggered && target.equals("alert persist")) {
                landed.add("alert persist");
            }
            landed.forEach(p -> hits.merge(p, 1, Integer::sum));
            leftBefore = left;
        }
        long killedMs = (System.nanoTime() - started) / 1_000_000;

        // 4. restart, catch up, seal everything into the lake
        try (Tandem tandem = Tandem.start(CampaignChild.config(), TandemOptions.defaults(dir).withPartitions(2)
                .withAutomaticBatchRuns(false))) {
            long restartedAt = tandem.now();
            assertThat(tandem.awaitCaughtUp(Duration.ofSeconds(120))).isTrue();
            Map<Long, long[]> requests = requests(tandem);
            Set<Long> present = new HashSet<>(requests.keySet());
            int viewRowsWrongHot = symbolRowsDiffering(tandem, present);
            await().atMost(Duration.ofSeconds(120)).until(() -> {
                tandem.runBatch(false).join();
                return tandem.batchVersion().untilMs() >= restartedAt;
            });
            tandem.runBatch(true).join();
            int viewRowsWrongCold = symbolRowsDiffering(tandem, present);
            Map<Long, long[]> afterBatch = requests(tandem);
            Map<Long, Long> lake = new HashMap<>();
            for (List<Object> row : tandem.sql().query("SELECT request, count(*) FROM trades GROUP BY request",
                    Duration.ofSeconds(60), Integer.MAX_VALUE).rows()) {
                lake.put(((Number) row.get(0)).longValue(), ((Number) row.get(1)).longValue());
            }
            long lakeRows = lake.values().stream().mapToLong(Long::longValue).sum();

            // 5. the alerts: each rule fires once per request present, never twice
            try {
                await().atMost(Duration.ofSeconds(60)).until(() -> missingAlerts(tandem, present) == 0);
            } catch (ConditionTimeoutException e) {
                // counted below
            }
            long missingAlerts = missingAlerts(tandem, present);
            long duplicateAlerts = duplicateAlerts(tandem);

            long losses = acked.stream().filter(r -> !complete(requests.get(r)) || !complete(afterBatch.get(r))
                    || lake.getOrDefault(r, 0L) != EVENTS_PER_REQUEST).count()
                    + requests.values().stream().filter(v -> v[0] < EVENTS_PER_REQUEST).count();
            long doubles = requests.values().stream().filter(v -> v[0] > EVENTS_PER_REQUEST).count()
                    + afterBatch.values().stream().filter(v -> v[0] > EVENTS_PER_REQUEST).count()
                    + lake.values().stream().filter(n -> n > EVENTS_PER_REQUEST).count();
            System.out.printf("crash: %d cycles, %d acknowledged events (%d requests present, %d lake rows), "
                            + "phases hit %s, losses %d, double counts %d, view rows differing %d, "
                            + "missing alerts %d, duplicate alerts %d (%d s of kills)%n", CYCLES,
                    acked.size() * (long) EVENTS_PER_REQUEST, present.size(), lakeRows, figures(hits), losses, doubles,
                    viewRowsWrongHot + viewRowsWrongCold, missingAlerts, duplicateAlerts, killedMs / 1000);

            assertThat(acked).as("acknowledged requests").hasSizeGreaterThan(CYCLES);
            assertThat(present).as("requests present").containsAll(acked);
            assertThat(afterBatch.keySet()).as("requests present after a full recompute").isEqualTo(present);
            assertThat(lake.keySet()).as("requests in the lake").isEqualTo(present);
            assertThat(losses).as("losses").isZero();
            assertThat(doubles).as("double counts").isZero();
            assertThat(lakeRows).as("lake rows").isEqualTo(present.size() * (long) EVENTS_PER_REQUEST);
            assertThat(viewRowsWrongHot).as("by_symbol rows differing from the reference after restart").isZero();
            assertThat(viewRowsWrongCold).as("by_symbol rows differing after a full recompute").isZero();
            assertThat(missingAlerts).as("missing alerts").isZero();
            assertThat(duplicateAlerts).as("duplicate alerts").isZero();
        }
    }

    /**
     * Waits, for at most 3 s, for the child's next step in {@code phase}: a checkpoint, lake epoch folder, batch
     * view version or report created under its temporary name, or an append to the alert history. False when none
     * came; every kind is seen within a few cycles.
     */
    private static boolean awaitStep(WatchService watch, String phase) throws InterruptedException {
        for (WatchKey stale; (stale = watch.poll()) != null; ) {
            stale.pollEvents();
            stale.reset();
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
        for (long left; (left = deadline - System.nanoTime()) > 0; ) {
            WatchKey key = watch.poll(left, TimeUnit.NANOSECONDS);
            if (key == null) {
                return false;
            }
            for (WatchEvent<?> e : key.pollEvents()) {
                String name = e.context().toString();
                boolean created = e.kind() == StandardWatchEventKinds.ENTRY_CREATE;
                boolean step = switch (phase) {
                    case "checkpoint" -> created && name.endsWith(".ckpt.tmp");
                    case "lake write" -> created && name.startsWith("epoch=");
                    case "batch publish" -> created && name.matches("v\\d+\\.tmp");
                    case "report write" -> created && name.endsWith(".tmp");
                    case "alert persist" -> e.kind() == StandardWatchEventKinds.ENTRY_MODIFY
                            && name.equals("alerts.jsonl");
                    default -> throw new IllegalArgumentException(phase);
                };
                if (step) {
                    return true;
                }
            }
            key.reset();
        }
        return false;
    }

    private static String figures(Map<String, Integer> hits) {
        StringBuilder out = new StringBuilder("{");
        hits.forEach((phase, n) -> out.append(out.length() > 1 ? ", " : "").append(phase).append(": ").append(n));
        return out.append("}").toString();
    }

    private static void read(BufferedReader out, Set<Long> acked, AtomicReference<String> last) {
        try {
            for (String line; (line = out.readLine()) != null; ) {
                last.set(line);
                if (line.startsWith("ack ")) {
                    acked.add(Long.parseLong(line.substring(4)));
                }
            }
        } catch (IOException e) {
            // the pipe of a killed child may break mid-line; what was read before counts
        }
    }

    /**
     * The temporary files in the data directory, and the lake's epoch folders that hold no file yet, with their size
     * and modification time.
     */
    private static Map<Path, String> leftovers(Path dir) throws IOException {
        Map<Path, String> found = new HashMap<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.filter(f -> f.getFileName().toString().endsWith(".tmp") || emptyEpoch(f)).toList()) {
                found.put(f, Files.size(f) + "@" + Files.getLastModifiedTime(f).toMillis());
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        return found;
    }

    private static boolean emptyEpoch(Path f) {
        if (!f.getFileName().toString().startsWith("epoch=") || !Files.isDirectory(f)) {
            return false;
        }
        try (Stream<Path> inside = Files.list(f)) {
            return inside.findAny().isEmpty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String phaseOf(Path relative) {
        return switch (relative.getName(0).toString()) {
            case "store" -> "checkpoint";
            case "lake" -> "lake write";
            case "batch" -> "batch publish";
            case "reports" -> "report write";
            default -> "other (" + relative + ")";
        };
    }

    private static boolean tornAlertLine(Path file) throws IOException {
        if (!Files.exists(file) || Files.size(file) == 0) {
            return false;
        }
        byte[] bytes = Files.readAllBytes(file);
        return bytes[bytes.length - 1] != '\n';
    }

    private static boolean complete(long[] v) {
        return v != null && v[0] == EVENTS_PER_REQUEST && v[1] == QTY_PER_REQUEST;
    }

    /** Per request in the merged view {@code by_request}: its events and their quantity. */
    private static Map<Long, long[]> requests(Tandem tandem) {
        Map<Long, long[]> out = new HashMap<>();
        for (QueryResult.Row row : tandem.query(new ViewQuery("by_request", 0, Long.MAX_VALUE / 2, 0, Map.of()))
                .rows()) {
            long[] v = out.computeIfAbsent((Long) row.dims().get(0), r -> new long[2]);
            v[0] += ((Number) row.values()[0]).longValue();
            v[1] += ((Number) row.values()[1]).longValue();
        }
        return out;
    }

    /** How many (symbol, hour) rows of the merged view {@code by_symbol} differ from the plain reference. */
    private static int symbolRowsDiffering(Tandem tandem, Set<Long> present) {
        Map<List<Object>, long[]> expected = new HashMap<>();
        for (long r : present) {
            for (int i = 0; i < EVENTS_PER_REQUEST; i++) {
                long ts = CampaignChild.eventTime(r, i);
                long[] v = expected.computeIfAbsent(List.of(CampaignChild.symbol(i),
                        Math.floorDiv(ts, CampaignChild.HOUR) * CampaignChild.HOUR), k -> new long[3]);
                v[0]++;
                v[1] += i + 1;
                v[2] = Math.max(v[2], i + 1);
            }
        }
        Map<List<Object>, long[]> actual = new HashMap<>();
        for (QueryResult.Row row : tandem.query(new ViewQuery("by_symbol", 0, Long.MAX_VALUE / 2, 0, Map.of()))
                .rows()) {
            actual.put(List.of(row.dims().get(0), row.bucket()), new long[]{((Number) row.values()[0]).longValue(),
                    ((Number) row.values()[1]).longValue(), ((Number) row.values()[2]).longValue()});
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

    private static List<Alert> alerts(Tandem tandem) {
        return tandem.alerts().history(Long.MIN_VALUE, Long.MAX_VALUE, null, Integer.MAX_VALUE);
    }

    /** Per rule, the requests present that it has not fired for. */
    private static long missingAlerts(Tandem tandem, Set<Long> present) {
        Map<String, Set<Long>> fired = new HashMap<>();
        for (Alert a : alerts(tandem)) {
            fired.computeIfAbsent(a.rule(), r -> new HashSet<>()).add(((Number) a.dims().get("request")).longValue());
        }
        long missing = 0;
        for (String rule : List.of("last_of_request", "request_complete")) {
            Set<Long> f = fired.getOrDefault(rule, Set.of());
            missing += present.stream().filter(r -> !f.contains(r)).count();
        }
        return missing;
    }

    /** Alerts beyond the first with the same id, or of the same rule for the same request. */
    private static long duplicateAlerts(Tandem tandem) {
        List<Alert> all = alerts(tandem);
        Set<String> ids = new HashSet<>();
        Set<List<Object>> ruleRequests = new HashSet<>();
        List<Alert> duplicates = new ArrayList<>();
        for (Alert a : all) {
            boolean newId = ids.add(a.id());
            boolean newPair = ruleRequests.add(List.of(a.rule(), ((Number) a.dims().get("request")).longValue()));
            if (!newId || !newPair) {
                duplicates.add(a);
            }
        }
        return duplicates.size();
    }

    private static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
