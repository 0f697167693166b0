package io.tandem.core.plan;

import io.tandem.core.AlertDef;
import io.tandem.core.AnalysisDef;
import io.tandem.core.IndexDef;
import io.tandem.core.Needs;
import io.tandem.core.ReportDef;
import io.tandem.core.TandemConfig;
import io.tandem.core.ViewDef;
import io.tandem.core.time.Durations;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Assigns every workload its path by the rules of the architecture decision (ARCHITECTURE.md §3):
 * <ul>
 *   <li><b>real time</b> if any of: a user is waiting, a trigger, session-bound data, freshness &lt; 5 s;</li>
 *   <li><b>batch</b> if all of: no user waiting, volume &gt; 10 K records per day, staleness &gt; 1 min, complex
 *       aggregations;</li>
 *   <li><b>hybrid</b> for analyses, search indexes and the query cache.</li>
 * </ul>
 * A view that is real-time runs on both paths, merged; one that meets every batch rule runs on the cold path only;
 * one that is neither stays on both. An alert runs on the hot path only, a report on the cold path only; needs that
 * say otherwise are {@linkplain #contradictions errors}. The rules are the two tables below; a workload kind's
 * defaults fill the needs it does not declare.
 */
public final class Planner {

    /** Freshness below this needs the hot path. */
    public static final long HOT_FRESHNESS_MS = 5_000;
    /** Staleness above this allows the cold path. */
    public static final long COLD_STALENESS_MS = 60_000;
    /** Volume above this, in records per day, calls for the cold path. */
    public static final long COLD_VOLUME_PER_DAY = 10_000;

    /**
     * One rule: the need it reads, whether it holds, and the words for it holding and for it failing.
     */
    record Rule(String need, Predicate<Needs> holds, Function<Needs, String> holding, Function<Needs, String> failing) {
    }

    /** Real-time rules: any one holding puts a workload on the hot path. */
    static final List<Rule> REAL_TIME = List.of(
            new Rule("user_waiting", n -> isTrue(n.userWaiting()), n -> "user waiting", n -> "no user waiting"),
            new Rule("trigger", n -> isTrue(n.trigger()), n -> "trigger", n -> "no trigger"),
            new Rule("session_bound", n -> isTrue(n.sessionBound()), n -> "session-bound", n -> "not session-bound"),
            new Rule("freshness", n -> n.freshnessMs() != null && n.freshnessMs() < HOT_FRESHNESS_MS,
                    n -> "freshness " + Durations.format(n.freshnessMs()) + " < 5s",
                    n -> n.freshnessMs() == null ? "no freshness need"
                            : "freshness " + Durations.format(n.freshnessMs()) + " >= 5s"));

    /** Batch rules: all of them holding puts a workload on the cold path. */
    static final List<Rule> BATCH = List.of(
            new Rule("user_waiting", n -> !isTrue(n.userWaiting()), n -> "no user waiting", n -> "user waiting"),
            new Rule("volume", n -> perDay(n.volume()) > COLD_VOLUME_PER_DAY,
                    n -> "volume " + volume(n.volume()) + " > 10K", n -> n.volume() == null ? "volume not declared"
                            : n.volume().perDay() < 0 ? "volume auto not observed yet"
                            : "volume " + volume(n.volume()) + " <= 10K"),
            new Rule("staleness", n -> n.stalenessMs() != null && n.stalenessMs() > COLD_STALENESS_MS,
                    n -> "staleness " + Durations.format(n.stalenessMs()) + " > 1m",
                    n -> n.stalenessMs() == null ? "staleness not declared"
                            : "staleness " + Durations.format(n.stalenessMs()) + " <= 1m"),
            new Rule("complex", n -> isTrue(n.complex()), n -> "complex aggregations",
                    n -> n.complex() == null ? "complex not declared" : "not complex"));

    /** The needs each kind has unless it declares otherwise. */
    static final Map<WorkloadKind, Needs> DEFAULTS = defaults();

    private Planner() {
    }

    private static Map<WorkloadKind, Needs> defaults() {
        Map<WorkloadKind, Needs> d = new EnumMap<>(WorkloadKind.class);
        d.put(WorkloadKind.VIEW, Needs.NONE);
        d.put(WorkloadKind.ALERT, new Needs(null, true, null, null, null, null, null));
        d.put(WorkloadKind.REPORT, new Needs(false, null, null, null, Durations.parse("1d"), Needs.Volume.AUTO, true));
        d.put(WorkloadKind.ANALYSIS, new Needs(null, null, null, Durations.parse("3s"), null, null, null));
        d.put(WorkloadKind.INDEX, new Needs(null, null, null, Durations.parse("1s"), null, null, null));
        d.put(WorkloadKind.CACHE, new Needs(true, null, null, null, null, null, null));
        return d;
    }

    /**
     * The plan of a config.
     *
     * @param observedPerDay each stream's observed rate in records per day, for {@code volume: auto}; empty when
     *                       not observed yet
     */
    public static Plan plan(TandemConfig config, Function<String, OptionalLong> observedPerDay) {
        Function<String, OptionalLong> observed = Objects.requireNonNull(observedPerDay);
        List<Decision> out = new ArrayList<>();
        for (ViewDef v : config.views().values()) {
            out.add(view(v.name(), resolve(v.needs(), WorkloadKind.VIEW, observed, List.of(v.from()))));
        }
        for (AlertDef a : config.alerts().values()) {
            Needs n = resolve(a.needs(), WorkloadKind.ALERT, observed, List.of(streamOf(config, a)));
            out.add(new Decision(a.name(), WorkloadKind.ALERT, n, Placement.HOT, "hot: " + firstHolding(REAL_TIME, n)
                    .map(r -> r.holding().apply(n)).orElse("an alert runs on the hot path only")));
        }
        for (ReportDef r : config.reports().values()) {
            Needs n = resolve(r.needs(), WorkloadKind.REPORT, observed, List.copyOf(config.streams().keySet()));
            String rule = allHold(BATCH, n) ? "cold: " + holding(BATCH, n)
                    : "cold: a report reads the lake (" + failing(BATCH, n) + ")";
            out.add(new Decision(r.name(), WorkloadKind.REPORT, n, Placement.COLD, rule));
        }
        for (AnalysisDef a : config.analyses().values()) {
            ViewDef v = config.views().get(a.view());
            Needs n = resolve(a.needs(), WorkloadKind.ANALYSIS, observed, v == null ? List.of() : List.of(v.from()));
            out.add(new Decision(a.name(), WorkloadKind.ANALYSIS, n, Placement.HYBRID,
                    "hybrid: an analysis scores on the hot path, its deep pass runs queued on the cold path"));
        }
        for (IndexDef i : config.indexes().values()) {
            Needs n = resolve(i.needs(), WorkloadKind.INDEX, observed, List.of(i.stream()));
            out.add(new Decision(i.name(), WorkloadKind.INDEX, n, Placement.HYBRID,
                    "hybrid: a search index is updated on the hot path and rebuilt from the lake after each batch"));
        }
        if (config.queryCache().enabled()) {
            Needs n = resolve(config.queryCache().needs(), WorkloadKind.CACHE, observed,
                    List.copyOf(config.streams().keySet()));
            out.add(new Decision("query_cache", WorkloadKind.CACHE, n, Placement.HYBRID,
                    "hybrid: the query cache is invalidated by hot-path commits and warmed after each batch"));
        }
        return new Plan(out);
    }

    /**
     * The needs that contradict a workload's path, each as {@code path.of.the.key: what is wrong}. A declared
     * {@code volume: auto} is taken to exceed 10 K here, so a config that is valid now stays valid as the rate
     * grows.
     */
    public static List<String> contradictions(TandemConfig config) {
        Function<String, OptionalLong> anyRate = s -> OptionalLong.of(Long.MAX_VALUE);
        Plan plan = plan(config, anyRate);
        List<String> errors = new ArrayList<>();
        for (ViewDef v : config.views().values()) {
            Needs n = v.needs().orElse(DEFAULTS.get(WorkloadKind.VIEW));
            Needs worst = assumeGrowth(n);
            firstHolding(REAL_TIME, n).ifPresent(hot -> {
                if (allHold(BATCH, worst)) {
                    errors.add(key(WorkloadKind.VIEW, v.name(), hot.need()) + ": " + hot.holding().apply(n)
                            + " needs the hot path, but the other needs meet every batch rule (" + holding(BATCH, worst)
                            + ")");
                }
            });
        }
        for (AlertDef a : config.alerts().values()) {
            Needs declared = a.needs();
            if (declared.stalenessMs() != null && declared.stalenessMs() > COLD_STALENESS_MS) {
                errors.add(key(WorkloadKind.ALERT, a.name(), "staleness") + ": " + Durations.format(
                        declared.stalenessMs()) + " > 1m asks for the cold path, but an alert runs on the hot path"
                        + " only (rule: hot if trigger)");
            }
            if (Boolean.FALSE.equals(declared.trigger())) {
                errors.add(key(WorkloadKind.ALERT, a.name(), "trigger") + ": false, but an alert is a trigger and"
                        + " runs on the hot path only");
            }
            if (a.view() != null && !plan.isHot(a.view())) {
                errors.add("alerts." + a.name() + ".view: view '" + a.view() + "' runs on the cold path only ("
                        + rule(plan, a.view()) + "), but an alert reads the hot path");
            }
        }
        for (ReportDef r : config.reports().values()) {
            Needs n = r.needs().orElse(DEFAULTS.get(WorkloadKind.REPORT));
            for (Rule hot : REAL_TIME) {
                if (hot.holds().test(n)) {
                    errors.add(key(WorkloadKind.REPORT, r.name(), hot.need()) + ": " + hot.holding().apply(n)
                            + " asks for the hot path, but a report runs on the cold path only");
                }
            }
        }
        for (AnalysisDef a : config.analyses().values()) {
            if (config.views().containsKey(a.view()) && !plan.isHot(a.view())) {
                errors.add("analyses." + a.name() + ".view: view '" + a.view() + "' runs on the cold path only ("
                        + rule(plan, a.view()) + "), but an analysis scores its buckets on the hot path");
            }
        }
        return errors;
    }

    private static String rule(Plan plan, String view) {
        return plan.decision(WorkloadKind.VIEW, view).map(Decision::rule).orElse("");
    }

    private static Decision view(String name, Needs n) {
        var hot = firstHolding(REAL_TIME, n);
        if (hot.isPresent()) {
            return new Decision(name, WorkloadKind.VIEW, n, Placement.HOT_AND_COLD,
                    "hot+cold: " + hot.get().holding().apply(n));
        }
        if (allHold(BATCH, n)) {
            return new Decision(name, WorkloadKind.VIEW, n, Placement.COLD, "cold: " + holding(BATCH, n));
        }
        return new Decision(name, WorkloadKind.VIEW, n, Placement.HOT_AND_COLD,
                "hot+cold: no real-time need, and not every batch rule holds (" + failing(BATCH, n) + ")");
    }

    /** The kind's defaults for what is not declared, with {@code volume: auto} replaced by the observed rate. */
    private static Needs resolve(Needs declared, WorkloadKind kind, Function<String, OptionalLong> observed,
                                 List<String> streams) {
        Needs n = declared.orElse(DEFAULTS.get(kind));
        if (n.volume() == null || !n.volume().auto() || streams.isEmpty()) {
            return n;
        }
        long total = 0;
        for (String s : streams) {
            OptionalLong rate = observed.apply(s);
            if (rate.isEmpty()) {
                return n;
            }
            total = saturatedAdd(total, rate.getAsLong());
        }
        return withVolume(n, Needs.Volume.observed(total));
    }

    private static Needs withVolume(Needs n, Needs.Volume volume) {
        return new Needs(n.userWaiting(), n.trigger(), n.sessionBound(), n.freshnessMs(), n.stalenessMs(), volume,
                n.complex());
    }

    /** Needs with an {@code auto} volume taken as more than 10 K a day. */
    private static Needs assumeGrowth(Needs n) {
        return n.volume() != null && n.volume().auto() ? withVolume(n, Needs.Volume.observed(Long.MAX_VALUE)) : n;
    }

    private static String streamOf(TandemConfig config, AlertDef a) {
        if (a.stream() != null) {
            return a.stream();
        }
        ViewDef v = config.views().get(a.view());
        return v == null ? a.view() : v.from();
    }

    private static Optional<Rule> firstHolding(List<Rule> rules, Needs n) {
        return rules.stream().filter(r -> r.holds().test(n)).findFirst();
    }

    private static boolean allHold(List<Rule> rules, Needs n) {
        return rules.stream().allMatch(r -> r.holds().test(n));
    }

    private static String holding(List<Rule> rules, Needs n) {
        return rules.stream().map(r -> r.holding().apply(n)).collect(Collectors.joining(", "));
    }

    private static String failing(List<Rule> rules, Needs n) {
        return rules.stream().filter(r -> !r.holds().test(n)).map(r -> r.failing().apply(n))
                .collect(Collectors.joining(", "));
    }

    private static String key(WorkloadKind kind, String name, String need) {
        return kind.section() + "." + name + ".needs." + need;
    }

    private static boolean isTrue(Boolean b) {
        return Boolean.TRUE.equals(b);
    }

    private static long perDay(Needs.Volume v) {
        return v == null ? -1 : v.perDay();
    }

    private static String volume(Needs.Volume v) {
        if (v.auto()) {
            return v.perDay() == Long.MAX_VALUE ? "auto" : "auto = " + v.perDay() + "/day";
        }
        return v.perDay() + "/day";
    }

    private static long saturatedAdd(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
    }
}
