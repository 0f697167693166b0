package io.tandem.engine.alert;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.tandem.core.AlertDef;
import io.tandem.core.FieldDef;
import io.tandem.core.GroupKey;
import io.tandem.core.Row;
import io.tandem.core.StreamDef;
import io.tandem.core.TandemConfig;
import io.tandem.core.ViewDef;
import io.tandem.core.expr.CelCondition;
import io.tandem.core.expr.Expressions;
import io.tandem.core.expr.FieldReader;
import io.tandem.core.expr.RowPredicate;
import io.tandem.core.expr.ViewResults;
import io.tandem.core.time.Timestamps;
import io.tandem.engine.EngineMetrics;
import io.tandem.engine.feed.Feed;
import io.tandem.engine.feed.Feeds;
import io.tandem.engine.hot.ClosingBuckets;
import io.tandem.engine.hot.Handover;
import io.tandem.engine.hot.HotPathListener;
import io.tandem.engine.query.QueryResult;
import io.tandem.spi.store.StateKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Checks the alert rules of a config ({@link AlertDef}) as the hot path applies events, and fires each alert once.
 *
 * <p>On the hot path's partition threads it does only cheap work and never blocks: a rule {@code on: event} runs
 * its compiled predicate on each event; a commit hands the changed (view, dims, bucket) groups of views with rules,
 * and the stream's watermark, to the alert thread through a bounded queue (a full queue drops the hand-over and
 * counts it in {@code tandem.alert.dropped}). The alert thread reads merged rows ({@link Rows}) and evaluates the
 * bucket rules: {@code on: update} for each changed group, {@code on: close} for each group whose bucket the
 * watermark has passed ({@code bucket + granularity <= watermark}), with {@code prev} read from the buckets before.
 *
 * <p>Every alert has a deterministic id ({@link Alert#id()}), looked up in {@code alerts.jsonl} before it fires
 * ({@link AlertHistory}, which holds only the newest ids and a filter of the others in memory), so a restart or a
 * replay of the log fires nothing twice. The history is read from that file. Fired alerts are appended and
 * fsynced, then published to subscribers and handed to the rule's webhook. The hot path replays the log only from
 * the real-time store's checkpoint, so that checkpoint waits ({@link #awaitRecorded}) until the alerts of every event
 * it covers are fsynced: a crash in between loses none. {@code tandem.alert.latency} times the
 * arrival of the triggering event (the earliest arrival of its commit for bucket rules) to the alert's publication;
 * {@code tandem.alert.stage} splits that time by stage: {@code applied} (arrival → the hot path hands the change
 * over), {@code evaluated} (→ the rule evaluated), {@code persisted} (→ fsynced) and {@code sent} (→ in the feeds).
 *
 * <p>A serving node's hot path follows the workers, which commit to the real-time store on their own: a serving
 * node killed before its alert thread had fsynced the alerts of events the workers had committed (or down while
 * they applied more) would, restarted at the store's committed offset, never fire them. So there the offsets
 * through which the alerts are fsynced are also written to {@code recorded.txt} after each batch, and the follower
 * starts each partition no later than there ({@link #resumeAt}); the replayed events fire nothing twice.
 */
public final class AlertEngine implements HotPathListener, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AlertEngine.class);

    /** The merged row of one group of a view at the view's granularity, or null when it holds no event. */
    @FunctionalInterface
    public interface Rows {
        /** The merged row with the measures {@code measures} marks (null: all of them); the others null. */
        QueryResult.Row row(String view, GroupKey dims, long bucket, boolean[] measures);
    }

    /** How many hand-overs from the hot path may wait for the alert thread. */
    public static final int QUEUE_CAPACITY = 65_536;

    private static final long NO_ARRIVAL = Long.MAX_VALUE;

    private final Map<String, StreamRules> streamRules = new HashMap<>();
    private final Map<String, List<BucketRule>> updateRules = new HashMap<>();
    private final Map<String, List<BucketRule>> closeRules = new HashMap<>();
    private final Map<String, ViewDef> views;
    private final Rows rows;
    private final LongSupplier clock;
    private final ThreadLocal<long[]> firstArrival = ThreadLocal.withInitial(() -> new long[]{NO_ARRIVAL});
    private final Handover handover;
    private final AlertHistory history;
    private final Webhooks webhooks;
    private final Timer latency;
    /** {@code tandem.alert.stage}: where an alert's latency goes, stage by stage. */
    private final Timer applied;
    private final Timer evaluated;
    private final Timer persisted;
    private final Timer sent;
    private final Counter dropped;
    private final Counter overflowed;
    /** {@code tandem.alert.fired} per rule, registered at 0 when the rules compile. */
    private final Map<String, Counter> fired = new HashMap<>();

    /** Guards publication and subscribers: the alert thread publishes, subscribers come and go. */
    private final Object lock = new Object();
    private final Feeds<Alert> feeds = new Feeds<>();

    /** Per stream and partition (guarded by lock): the events before this offset have had their alerts fsynced. */
    private final Map<String, Long> recorded = new HashMap<>();
    /**
     * {@code recorded.txt}: {@link #recorded} as of the last batch, merged into what earlier runs left; null but on
     * a follower.
     */
    private final Path recordedFile;
    /** What {@code recorded.txt} held at start: where earlier runs had recorded the alerts through. */
    private final Map<String, Long> recordedBefore;
    /** Alert thread only: whether the last write of {@code recorded.txt} failed (logged once). */
    private boolean recordedUnwritable;

    /** Alert thread only: the open buckets of views with close rules, and each stream's watermark. */
    private final ClosingBuckets closing;
    private volatile boolean closed;

    /**
     * Compiles the rules, loads {@code dir/alerts.jsonl} and {@code dir/dead-letters.jsonl}, and starts the alert
     * thread. {@code rows} is called only on the alert thread, once the hot path delivers.
     */
    public AlertEngine(TandemConfig config, Path dir, EngineMetrics metrics, LongSupplier clock, Rows rows) {
        this(config, dir, metrics, clock, rows, AlertHistory.RECENT, false);
    }

    /**
     * As above; with {@code follows}, on a hot path that follows the workers (a serving node's), keeping
     * {@code recorded.txt} and answering {@link #resumeAt} from it.
     */
    public AlertEngine(TandemConfig config, Path dir, EngineMetrics metrics, LongSupplier clock, Rows rows,
                       boolean follows) {
        this(config, dir, metrics, clock, rows, AlertHistory.RECENT, follows);
    }

    /** As above, holding the ids of the newest {@code recentIds} alerts in memory (see {@link AlertHistory}). */
    AlertEngine(TandemConfig config, Path dir, EngineMetrics metrics, LongSupplier clock, Rows rows, int recentIds,
                boolean follows) {
        this.views = config.views();
        this.closing = new ClosingBuckets(views);
        this.rows = rows;
        this.clock = clock;
        compile(config);
        for (String rule : config.alerts().keySet()) {
            fired.put(rule, Counter.builder("tandem.alert.fired")
                    .description("Alerts fired, per rule")
                    .tag("rule", rule)
                    .register(metrics.registry()));
        }
        this.history = new AlertHistory(dir.resolve("alerts.jsonl"), recentIds);
        this.recordedFile = follows ? dir.resolve("recorded.txt") : null;
        this.recordedBefore = follows ? readRecorded(recordedFile) : Map.of();
        this.latency = Timer.builder("tandem.alert.latency")
                .description("Time from the arrival of the event that triggered an alert to its publication")
                .publishPercentiles(0.5, 0.99)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(30))
                .register(metrics.registry());
        this.applied = stage("applied", "the event's arrival → the hot path handed its commit to the alert thread",
                metrics);
        this.evaluated = stage("evaluated", "the hand-over → the rule evaluated on the alert thread", metrics);
        this.persisted = stage("persisted", "the rule evaluated → the alert appended and fsynced to alerts.jsonl",
                metrics);
        this.sent = stage("sent", "the alert fsynced → in every live subscriber's feed", metrics);
        this.dropped = Counter.builder("tandem.alert.dropped")
                .description("Hand-overs from the hot path to the alert thread dropped because its queue was full")
                .register(metrics.registry());
        this.overflowed = Counter.builder("tandem.alert.subscribers.overflowed")
                .description("Live alert subscribers ended because they fell too far behind")
                .register(metrics.registry());
        Counter deadLetters = Counter.builder("tandem.alert.webhook.dead.letters")
                .description("Alerts a webhook did not take after the last retry")
                .register(metrics.registry());
        this.webhooks = new Webhooks(dir.resolve("dead-letters.jsonl"), clock, deadLetters::increment);
        this.handover = new Handover("tandem-alerts", QUEUE_CAPACITY, this::process);
        handover.start();
    }

    // ---- the rules -------------------------------------------------------------------------------------------

    /** A rule on events, with its compiled predicate and the field indexes of its dims. */
    /** A rule on a stream's events; an alert shows the event's declared fields and its {@code derived} ones. */
    private record EventRule(AlertDef def, StreamDef stream, RowPredicate predicate, int[] dims,
                             FieldReader[] derived) {
    }

    /**
     * A rule on a view's buckets, and the measures its condition reads (the others are not merged for it); null when
     * it reads them all.
     */
    private record BucketRule(AlertDef def, ViewDef view, CelCondition condition, boolean[] reads) {
    }

    /** One row read for a rule: a group with the measures that rule reads. */
    private record Read(Group group, boolean[] measures) {
    }

    /** What the hot path of one stream must do for the rules. */
    private static final class StreamRules {
        final List<EventRule> events = new ArrayList<>();
        EventRule[] eventArray = new EventRule[0];
        final Set<String> bucketViews = new HashSet<>();
        final AtomicLong handedWatermark = new AtomicLong(Long.MIN_VALUE);
    }

    private void compile(TandemConfig config) {
        for (AlertDef def : config.alerts().values()) {
            if (def.stream() != null) {
                StreamDef stream = config.streams().get(def.stream());
                int[] dims = def.forEach().stream().mapToInt(stream::indexOf).toArray();
                rules(def.stream()).events.add(new EventRule(def, stream,
                        Expressions.predicate(def.condition(), stream), dims, stream.derived().stream()
                        .map(d -> Expressions.reader(d.name(), stream)).toArray(FieldReader[]::new)));
            } else {
                ViewDef view = config.views().get(def.view());
                CelCondition condition = CelCondition.overBuckets(def.condition(), ViewResults.rowTypes(view));
                List<String> measures = List.copyOf(view.measures().keySet());
                // a computed result the condition reads needs the measures it is computed from
                Set<String> needed = new HashSet<>(condition.reads());
                ViewResults results = ViewResults.of(view);
                for (int i = 0; i < results.names().size(); i++) {
                    if (condition.reads().contains(results.names().get(i))) {
                        needed.addAll(results.reads(i));
                    }
                }
                boolean[] reads = new boolean[measures.size()];
                for (int i = 0; i < reads.length; i++) {
                    reads[i] = needed.contains(measures.get(i));
                }
                BucketRule rule = new BucketRule(def, view, condition, needed.containsAll(measures) ? null : reads);
                (def.on() == AlertDef.Trigger.UPDATE ? updateRules : closeRules)
                        .computeIfAbsent(view.name(), v -> new ArrayList<>()).add(rule);
                rules(view.from()).bucketViews.add(view.name());
            }
        }
        streamRules.values().forEach(r -> r.eventArray = r.events.toArray(EventRule[]::new));
    }

    private static Timer stage(String stage, String description, EngineMetrics metrics) {
        return Timer.builder("tandem.alert.stage")
                .description("Where alert latency goes, per stage: " + description)
                .tag("stage", stage)
                .publishPercentiles(0.5, 0.99)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(10_000))
                .maximumExpectedValue(Duration.ofSeconds(30))
                .register(metrics.registry());
    }

    private StreamRules rules(String stream) {
        return streamRules.computeIfAbsent(stream, s -> new StreamRules());
    }

    // ---- on the hot path -------------------------------------------------------------------------------------

    /** An event rule held for an event, with what the alert will say, read while the row was current. */
    private record EventHit(EventRule rule, String id, Map<String, Object> dims, Map<String, Object> values,
                            long arrivalMs, long handedNanos) {
    }

    /** The groups of bucket-rule views a commit changed, the stream's watermark after it, and its first arrival. */
    private record Commit(String stream, List<StateKey> changed, long watermark, long arrivalMs, long handedNanos) {
    }

    @Override
    public void onEvent(StreamDef stream, int partition, Row row) {
        StreamRules r = streamRules.get(stream.name());
        if (r == null || closed) {
            return;
        }
        if (!r.bucketViews.isEmpty()) {
            long[] first = firstArrival.get();
            if (first[0] == NO_ARRIVAL) {
                first[0] = row.arrivalTime();
            }
        }
        for (EventRule rule : r.eventArray) {
            if (rule.predicate.test(row)) {
                long offset = row.sequence() & ((1L << 48) - 1);
                String id = Alert.id(rule.def.name(), stream.name(), partition, offset);
                Map<String, Object> dims = new LinkedHashMap<>();
                for (int i = 0; i < rule.dims.length; i++) {
                    dims.put(rule.def.forEach().get(i), value(row, stream.field(rule.dims[i]), rule.dims[i]));
                }
                Map<String, Object> values = new LinkedHashMap<>();
                for (int f = 0; f < stream.fields().size(); f++) {
                    values.put(stream.field(f).name(), value(row, stream.field(f), f));
                }
                for (FieldReader derived : rule.derived) {
                    values.put(derived.name(), derived.value(row));
                }
                if (stream.indexOf(stream.timeField()) < 0) {
                    values.put(stream.timeField(), Timestamps.format(row.eventTime()));
                }
                applied.record(Math.max(0, clock.getAsLong() - row.arrivalTime()), TimeUnit.MILLISECONDS);
                handOver(new EventHit(rule, id, dims, values, row.arrivalTime(), System.nanoTime()));
            }
        }
    }

    /** The hot path has told this engine every event of the partition before {@code next}. */
    private record Applied(String stream, int partition, long next) {
    }

    @Override
    public void onApplied(StreamDef stream, int partition, long next) {
        if (streamRules.containsKey(stream.name()) && !closed) {
            handOver(new Applied(stream.name(), partition, next));
        }
    }

    /**
     * Waits, for at most {@code timeout}, until the alerts of every event of the partition before {@code next} are
     * fsynced to {@code alerts.jsonl}; true at once for a stream without rules.
     */
    public boolean awaitRecorded(String stream, int partition, long next, Duration timeout)
            throws InterruptedException {
        if (!streamRules.containsKey(stream)) {
            return true;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        String key = stream + "/" + partition;
        synchronized (lock) {
            for (long left; recorded.getOrDefault(key, -1L) < next; ) {
                left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(lock, left);
            }
            return true;
        }
    }

    @Override
    public void onCommit(StreamDef stream, int partition, Set<StateKey> changed, long watermark) {
        StreamRules r = streamRules.get(stream.name());
        if (r == null || r.bucketViews.isEmpty() || closed) {
            return;
        }
        long[] first = firstArrival.get();
        long now = clock.getAsLong();
        long arrival = first[0] == NO_ARRIVAL ? now : first[0];
        first[0] = NO_ARRIVAL;
        List<StateKey> keys = new ArrayList<>();
        for (StateKey k : changed) {
            if (r.bucketViews.contains(k.view())) {
                keys.add(k);
            }
        }
        boolean advanced = watermark > r.handedWatermark.getAndAccumulate(watermark, Math::max);
        if (!keys.isEmpty() || advanced) {
            if (!keys.isEmpty()) {
                applied.record(Math.max(0, now - arrival), TimeUnit.MILLISECONDS);
            }
            handOver(new Commit(stream.name(), keys, watermark, arrival, System.nanoTime()));
        }
    }

    private void handOver(Object task) {
        if (!handover.offer(task)) {
            dropped.increment();
        }
    }

    private static Object value(Row row, FieldDef field, int index) {
        if (row.isNull(index)) {
            return null;
        }
        return switch (field.type()) {
            case STRING -> row.getString(index);
            case LONG -> row.getLong(index);
            case TIMESTAMP -> Timestamps.format(row.getLong(index));
            case DOUBLE -> row.getDouble(index);
            case BOOLEAN -> row.getBoolean(index);
        };
    }

    // ---- on the alert thread ---------------------------------------------------------------------------------

    /** One (view, dims, bucket). */
    private record Group(String view, GroupKey dims, long bucket) {
    }

    /** An alert about to fire, and the arrival time its latency counts from. */
    private record Candidate(Alert alert, AlertDef rule, long arrivalMs, long handedNanos) {
    }

    /** When the earliest event behind a change arrived, and when the hot path handed the change over. */
    private record Since(long arrivalMs, long handedNanos) {
        static Since earlier(Since a, Since b) {
            return a.arrivalMs <= b.arrivalMs ? a : b;
        }
    }

    private void process(List<Object> tasks) {
        List<Candidate> candidates = new ArrayList<>();
        Map<Group, Since> updated = new LinkedHashMap<>();
        Map<String, Since> closingArrival = new HashMap<>();
        List<Applied> applied = new ArrayList<>();
        for (Object task : tasks) {
            if (task instanceof Applied a) {
                applied.add(a);
            } else if (task instanceof EventHit hit) {
                candidates.add(new Candidate(new Alert(hit.id, hit.rule.def.name(), null, hit.dims, hit.values, 0),
                        hit.rule.def, hit.arrivalMs, hit.handedNanos));
            } else if (task instanceof Commit c) {
                for (StateKey k : c.changed) {
                    Group g = new Group(k.view(), k.dims(), k.bucket());
                    if (updateRules.containsKey(k.view())) {
                        updated.merge(g, new Since(c.arrivalMs, c.handedNanos), Since::earlier);
                    }
                    if (closeRules.containsKey(k.view())) {
                        closing.changed(k.view(), k.dims(), k.bucket());
                    }
                }
                if (closing.watermark(c.stream, c.watermark)) {
                    closingArrival.merge(c.stream, new Since(c.arrivalMs, c.handedNanos), Since::earlier);
                }
            }
        }
        Map<Read, QueryResult.Row> read = new HashMap<>();
        updated.forEach((g, arrival) -> {
            for (BucketRule rule : updateRules.get(g.view)) {
                evaluate(rule, g, arrival, read, candidates);
            }
        });
        closing.poll((view, bucket, groups) -> {
            Since arrival = closingArrival.getOrDefault(view.from(), new Since(clock.getAsLong(), System.nanoTime()));
            for (GroupKey dims : groups) {
                for (BucketRule rule : closeRules.get(view.name())) {
                    evaluate(rule, new Group(view.name(), dims, bucket), arrival, read, candidates);
                }
            }
        });
        fire(candidates);
        Map<String, Long> positions = null;
        synchronized (lock) {
            for (Applied a : applied) {
                recorded.merge(a.stream + "/" + a.partition, a.next, Math::max);
            }
            lock.notifyAll();
            if (recordedFile != null && !applied.isEmpty()) {
                positions = new HashMap<>(recordedBefore);
                positions.putAll(recorded);
            }
        }
        if (positions != null) {
            writeRecorded(positions);
        }
    }

    /**
     * Writes {@code recorded.txt} (one {@code <stream>/<partition> <next>} a line) through a temporary file, without
     * an fsync: the alerts themselves are fsynced already, and a position lost with the page cache only replays
     * more.
     */
    private void writeRecorded(Map<String, Long> positions) {
        StringBuilder text = new StringBuilder();
        positions.forEach((partition, next) -> text.append(partition).append(' ').append(next).append('\n'));
        Path temp = recordedFile.resolveSibling(recordedFile.getFileName() + ".tmp");
        try {
            Files.writeString(temp, text, StandardCharsets.UTF_8);
            Files.move(temp, recordedFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            recordedUnwritable = false;
        } catch (IOException e) {
            if (!recordedUnwritable) {
                LOG.warn("cannot write {} ({}); a restart follows from the positions written before, if any",
                        recordedFile, e.toString());
            }
            recordedUnwritable = true;
        }
    }

    private static Map<String, Long> readRecorded(Path file) {
        Map<String, Long> positions = new HashMap<>();
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                int space = line.lastIndexOf(' ');
                positions.put(line.substring(0, space), Long.parseLong(line.substring(space + 1)));
            }
        } catch (NoSuchFileException e) {
            return Map.of();
        } catch (IOException | RuntimeException e) {
            LOG.warn("cannot read {} ({}); a serving node follows from the real-time store's offsets", file,
                    e.toString());
            return Map.of();
        }
        return Map.copyOf(positions);
    }

    /**
     * Where a follower must start the partition for the alerts: the offset through which an earlier run of this
     * data directory had fsynced them; {@link Long#MAX_VALUE} for a stream without rules or a partition it never
     * recorded.
     */
    @Override
    public long resumeAt(String stream, int partition) {
        return streamRules.containsKey(stream) ? recordedBefore.getOrDefault(stream + "/" + partition, Long.MAX_VALUE)
                : Long.MAX_VALUE;
    }

    private void evaluate(BucketRule rule, Group g, Since arrival, Map<Read, QueryResult.Row> read,
                          List<Candidate> out) {
        String id = Alert.id(rule.def.name(), g.dims, g.bucket);
        if (history.firedRecently(id)) {
            return;
        }
        QueryResult.Row row = read.computeIfAbsent(new Read(g, rule.reads), this::row);
        if (row == null) {
            return;
        }
        Map<String, Object> values = values(rule.view, row);
        Map<String, Object> variables = new HashMap<>(values);
        if (rule.def.prev() > 0) {
            List<Map<String, Object>> prev = new ArrayList<>(rule.def.prev());
            for (int k = 1; k <= rule.def.prev(); k++) {
                Group before = new Group(g.view, g.dims, g.bucket - k * rule.view.granularityMs());
                QueryResult.Row p = read.computeIfAbsent(new Read(before, rule.reads), this::row);
                if (p != null) {
                    prev.add(values(rule.view, p));
                }
            }
            variables.put(CelCondition.PREV, prev);
        }
        if (rule.condition.test(variables)) {
            Map<String, Object> dims = new LinkedHashMap<>();
            for (int i = 0; i < rule.view.groupBy().size(); i++) {
                dims.put(rule.view.groupBy().get(i), g.dims.get(i));
            }
            // the alert shows every measure of the bucket, also those the condition did not read
            QueryResult.Row full = rule.reads == null ? row : read.computeIfAbsent(new Read(g, null), this::row);
            out.add(new Candidate(new Alert(id, rule.def.name(), g.bucket, dims,
                    full == null ? values : values(rule.view, full), 0), rule.def, arrival.arrivalMs,
                    arrival.handedNanos));
        }
    }

    private QueryResult.Row row(Read r) {
        return rows.row(r.group.view, r.group.dims, r.group.bucket, r.measures);
    }


    /** A row's measures and computed results by name. */
    private static Map<String, Object> values(ViewDef view, QueryResult.Row row) {
        Map<String, Object> values = new LinkedHashMap<>();
        int i = 0;
        for (String measure : view.measures().keySet()) {
            values.put(measure, row.values()[i++]);
        }
        for (String result : view.results().keySet()) {
            values.put(result, row.values()[i++]);
        }
        return values;
    }

    /** Persists the new alerts (one fsync), then publishes them, hands them to webhooks and times them. */
    private void fire(List<Candidate> candidates) {
        if (candidates.isEmpty()) {
            return;
        }
        long now = clock.getAsLong();
        List<Candidate> fresh = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (Candidate c : candidates) {
            if (ids.add(c.alert.id()) && !history.fired(c.alert.id())) {
                Alert a = c.alert;
                fresh.add(new Candidate(new Alert(a.id(), a.rule(), a.bucket(), a.dims(), a.values(), now), c.rule,
                        c.arrivalMs, c.handedNanos));
            }
        }
        if (fresh.isEmpty()) {
            return;
        }
        long evaluatedAt = System.nanoTime();
        List<Alert> alerts = fresh.stream().map(c -> c.alert).toList();
        long[] offsets = history.append(alerts);
        long persistedAt = System.nanoTime();
        synchronized (lock) {
            history.published(alerts, offsets);
            for (Alert a : alerts) {
                overflowed.increment(feeds.publish(a));
            }
        }
        long sentAt = System.nanoTime();
        for (Candidate c : fresh) {
            evaluated.record(Math.max(0, evaluatedAt - c.handedNanos), TimeUnit.NANOSECONDS);
            persisted.record(persistedAt - evaluatedAt, TimeUnit.NANOSECONDS);
            sent.record(sentAt - persistedAt, TimeUnit.NANOSECONDS);
        }
        long published = clock.getAsLong();
        for (Candidate c : fresh) {
            fired.get(c.rule.name()).increment();
            latency.record(Math.max(0, published - c.arrivalMs), TimeUnit.MILLISECONDS);
            if (c.rule.webhook() != null) {
                webhooks.deliver(c.alert, c.rule.webhook());
            }
        }
    }

    // ---- reading ---------------------------------------------------------------------------------------------

    /**
     * The alerts fired in {@code [fromMs, toMs)} (by {@code fired_at}), of one rule or of all when {@code rule} is
     * null, oldest first; at most {@code limit}, the newest ones when there are more.
     */
    public List<Alert> history(long fromMs, long toMs, String rule, int limit) {
        return history.history(fromMs, toMs, rule, limit);
    }

    /**
     * A live feed of the alerts fired from now on, preceded by those fired after {@code lastId} when it names one of
     * the newest {@value AlertHistory#RECENT} alerts (a resuming SSE client's {@code Last-Event-ID}), read from
     * {@code alerts.jsonl}; an older, unknown or null id replays nothing (the history holds those). Nothing fired
     * between the replay and the live feed is lost or repeated.
     *
     * @param capacity how many alerts may wait for the consumer before the subscription is ended
     */
    public Feed<Alert> subscribe(String lastId, int capacity) {
        synchronized (lock) {
            return feeds.subscribe(history.after(lastId), capacity);
        }
    }

    /** The alerts whose webhook refused them after the last retry, oldest first, earlier runs included. */
    public List<DeadLetter> deadLetters() {
        return webhooks.deadLetters();
    }

    /** Stops taking work, fires what the hot path handed over, and ends every subscription. */
    @Override
    public void close() {
        closed = true;
        handover.close();
        feeds.close();
        webhooks.close();
        history.close();
    }
}
