package io.tandem.core.plan;

import io.tandem.core.TandemConfig;
import io.tandem.core.config.ConfigException;
import io.tandem.core.config.ConfigLoader;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.OptionalLong;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class PlannerTest {

    private static final String STREAM = """
            streams:
              trades: {time: ts, fields: {symbol: string, qty: long}}
            """;

    private static String view(String needs) {
        return STREAM + "views:\n  v:\n    from: trades\n    group_by: [symbol]\n    granularity: 1m\n"
                + "    measures: {n: count}\n" + (needs.isEmpty() ? "" : "    needs: " + needs + "\n");
    }

    private static Decision decide(String yaml, WorkloadKind kind, String name, OptionalLong observed) {
        TandemConfig config = ConfigLoader.parse(yaml, "t.yaml");
        return Planner.plan(config, s -> observed).decision(kind, name).orElseThrow();
    }

    /** One row per rule and per boundary value: the needs of a view, its path, and the rule in words. */
    static Stream<Arguments> viewRules() {
        String cold = "volume: 20000, staleness: 1h, complex: true";
        return Stream.of(
                Arguments.of("", "hot+cold", "hot+cold: no real-time need, and not every batch rule holds"
                        + " (volume not declared, staleness not declared, complex not declared)"),
                Arguments.of("{user_waiting: true}", "hot+cold", "hot+cold: user waiting"),
                Arguments.of("{trigger: true}", "hot+cold", "hot+cold: trigger"),
                Arguments.of("{session_bound: true}", "hot+cold", "hot+cold: session-bound"),
                Arguments.of("{freshness: 4999ms}", "hot+cold", "hot+cold: freshness 4999ms < 5s"),
                Arguments.of("{freshness: 5s}", "hot+cold", "hot+cold: no real-time need, and not every batch rule"
                        + " holds (volume not declared, staleness not declared, complex not declared)"),
                Arguments.of("{" + cold + "}", "cold",
                        "cold: no user waiting, volume 20000/day > 10K, staleness 1h > 1m, complex aggregations"),
                Arguments.of("{user_waiting: false, " + cold + "}", "cold",
                        "cold: no user waiting, volume 20000/day > 10K, staleness 1h > 1m, complex aggregations"),
                Arguments.of("{volume: 10000, staleness: 1h, complex: true}", "hot+cold", "hot+cold: no real-time"
                        + " need, and not every batch rule holds (volume 10000/day <= 10K)"),
                Arguments.of("{volume: 10001, staleness: 1h, complex: true}", "cold",
                        "cold: no user waiting, volume 10001/day > 10K, staleness 1h > 1m, complex aggregations"),
                Arguments.of("{volume: 20000, staleness: 1m, complex: true}", "hot+cold", "hot+cold: no real-time"
                        + " need, and not every batch rule holds (staleness 1m <= 1m)"),
                Arguments.of("{volume: 20000, staleness: 60001ms, complex: true}", "cold",
                        "cold: no user waiting, volume 20000/day > 10K, staleness 60001ms > 1m, complex aggregations"),
                Arguments.of("{volume: 20000, staleness: 1h, complex: false}", "hot+cold", "hot+cold: no real-time"
                        + " need, and not every batch rule holds (not complex)"),
                Arguments.of("{volume: 20000, staleness: 1h}", "hot+cold", "hot+cold: no real-time"
                        + " need, and not every batch rule holds (complex not declared)"),
                Arguments.of("{freshness: 10s, " + cold + "}", "cold",
                        "cold: no user waiting, volume 20000/day > 10K, staleness 1h > 1m, complex aggregations"));
    }

    @ParameterizedTest(name = "needs {0} -> {1}")
    @MethodSource("viewRules")
    void view_isPlacedByTheRules(String needs, String path, String rule) {
        Decision d = decide(view(needs), WorkloadKind.VIEW, "v", OptionalLong.empty());

        assertThat(d.path().configName()).isEqualTo(path);
        assertThat(d.rule()).isEqualTo(rule);
    }

    @Test
    void autoVolume_isTheObservedRate() {
        String yaml = view("{volume: auto, staleness: 1h, complex: true}");

        assertThat(decide(yaml, WorkloadKind.VIEW, "v", OptionalLong.empty()).rule()).isEqualTo(
                "hot+cold: no real-time need, and not every batch rule holds (volume auto not observed yet)");
        assertThat(decide(yaml, WorkloadKind.VIEW, "v", OptionalLong.of(10_000)).path()).isEqualTo(
                Placement.HOT_AND_COLD);
        Decision observed = decide(yaml, WorkloadKind.VIEW, "v", OptionalLong.of(86_400_000));
        assertThat(observed.path()).isEqualTo(Placement.COLD);
        assertThat(observed.rule()).isEqualTo("cold: no user waiting, volume auto = 86400000/day > 10K,"
                + " staleness 1h > 1m, complex aggregations");
        assertThat(observed.needs().toConfigMap()).containsEntry("volume", "auto");
    }

    @Test
    void kinds_haveTheirDefaultsAndPaths() {
        String yaml = view("") + """
                alerts:
                  a: {view: v, on: close, condition: "n > 1"}
                reports:
                  r:
                    sql: "SELECT 1 WHERE '{{period_start}}' < '{{period_end}}'"
                    schedule: hourly
                    format: csv
                analyses:
                  an: {view: v, measure: n}
                indexes:
                  ix: {stream: trades, fields: [symbol]}
                """;
        Plan plan = Planner.plan(ConfigLoader.parse(yaml, "t.yaml"), s -> OptionalLong.of(1_000_000));

        assertThat(plan.workloads()).extracting(d -> d.kind().configName() + " " + d.name() + " "
                + d.path().configName() + " | " + d.rule()).containsExactly(
                "view v hot+cold | hot+cold: no real-time need, and not every batch rule holds (volume not declared,"
                        + " staleness not declared, complex not declared)",
                "alert a hot | hot: trigger",
                "report r cold | cold: no user waiting, volume auto = 1000000/day > 10K, staleness 1d > 1m,"
                        + " complex aggregations",
                "analysis an hybrid | hybrid: an analysis scores on the hot path, its deep pass runs queued on the"
                        + " cold path",
                "index ix hybrid | hybrid: a search index is updated on the hot path and rebuilt from the lake after"
                        + " each batch",
                "cache query_cache hybrid | hybrid: the query cache is invalidated by hot-path commits and warmed"
                        + " after each batch");
        assertThat(plan.decision(WorkloadKind.REPORT, "r").orElseThrow().needs().toConfigMap()).containsExactly(
                java.util.Map.entry("user_waiting", false), java.util.Map.entry("staleness", "1d"),
                java.util.Map.entry("volume", "auto"), java.util.Map.entry("complex", true));
        assertThat(plan.decision(WorkloadKind.ALERT, "a").orElseThrow().needs().trigger()).isTrue();
    }

    @Test
    void disabledCache_isNotAWorkload() {
        Plan plan = Planner.plan(ConfigLoader.parse(view("") + "query_cache: {enabled: false}\n", "t.yaml"),
                s -> OptionalLong.empty());

        assertThat(plan.workloads()).extracting(Decision::name).containsExactly("v");
    }

    static Stream<Arguments> contradictions() {
        String report = """
                reports:
                  r:
                    sql: "SELECT 1 WHERE '{{period_start}}' < '{{period_end}}'"
                    schedule: hourly
                    format: csv
                    needs: %s
                """;
        String coldView = view("{volume: auto, staleness: 1h, complex: true}");
        return Stream.of(
                Arguments.of(view("") + report.formatted("{freshness: 1s}"),
                        "reports.r.needs.freshness: freshness 1s < 5s asks for the hot path, but a report runs on the"
                                + " cold path only"),
                Arguments.of(view("") + report.formatted("{user_waiting: true}"),
                        "reports.r.needs.user_waiting: user waiting asks for the hot path, but a report runs on the"
                                + " cold path only"),
                Arguments.of(view("") + "alerts:\n  a: {view: v, on: close, condition: \"n > 1\", needs: {staleness:"
                                + " 1h}}\n",
                        "alerts.a.needs.staleness: 1h > 1m asks for the cold path, but an alert runs on the hot path"
                                + " only (rule: hot if trigger)"),
                Arguments.of(view("") + "alerts:\n  a: {view: v, on: close, condition: \"n > 1\", needs: {trigger:"
                                + " false}}\n",
                        "alerts.a.needs.trigger: false, but an alert is a trigger and runs on the hot path only"),
                Arguments.of(coldView + "alerts:\n  a: {view: v, on: close, condition: \"n > 1\"}\n",
                        "alerts.a.view: view 'v' runs on the cold path only (cold: no user waiting, volume auto > 10K,"
                                + " staleness 1h > 1m, complex aggregations), but an alert reads the hot path"),
                Arguments.of(coldView + "analyses:\n  an: {view: v, measure: n}\n",
                        "analyses.an.view: view 'v' runs on the cold path only (cold: no user waiting, volume auto"
                                + " > 10K, staleness 1h > 1m, complex aggregations), but an analysis scores its"
                                + " buckets on the hot path"),
                Arguments.of(view("{freshness: 1s, volume: 20000, staleness: 1h, complex: true}"),
                        "views.v.needs.freshness: freshness 1s < 5s needs the hot path, but the other needs meet"
                                + " every batch rule (no user waiting, volume 20000/day > 10K, staleness 1h > 1m,"
                                + " complex aggregations)"),
                Arguments.of(view("{trigger: true, volume: auto, staleness: 1h, complex: true}"),
                        "views.v.needs.trigger: trigger needs the hot path, but the other needs meet every batch"
                                + " rule (no user waiting, volume auto > 10K, staleness 1h > 1m, complex"
                                + " aggregations)"));
    }

    @ParameterizedTest
    @MethodSource("contradictions")
    void contradiction_isAConfigErrorNamingTheWorkloadTheNeedAndTheRule(String yaml, String error) {
        List<String> errors;
        try {
            ConfigLoader.parse(yaml, "t.yaml");
            errors = List.of();
        } catch (ConfigException e) {
            errors = e.errors();
        }
        assertThat(errors).containsExactly(error);
    }
}
