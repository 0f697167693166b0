package io.tandem.core.config;

import io.tandem.core.AlertDef;
import io.tandem.core.BadEventPolicy;
import io.tandem.core.DeploymentDef;
import io.tandem.core.DuckDbDef;
import io.tandem.core.FieldType;
import io.tandem.core.QueryCacheDef;
import io.tandem.core.StreamDef;
import io.tandem.core.TandemConfig;
import io.tandem.core.UnknownFields;
import io.tandem.core.measure.Measures;
import io.tandem.core.plan.Planner;
import io.tandem.core.time.Durations;
import io.tandem.core.time.TimeFormat;

import java.time.Instant;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static io.tandem.core.config.ConfigKey.REQUIRED;

/**
 * Every key of {@code tandem.yaml}: the one definition that {@link ConfigLoader} admits keys from and
 * {@code tandem config-reference} renders as {@code docs/config.md}, so the page cannot drift from validation.
 * Each key says what it means, what it takes, its default and gives an example; a test loads every example.
 *
 * <p>Defaults are read from the constants the loader applies ({@link StreamDef#DEFAULT_MAX_FUTURE_MS}, ...), so a
 * changed default changes the page. The defaults of the Kafka log, the Redis store and the Spark engine live in
 * modules the core does not see; tandem-cli's test holds the Kafka and Redis ones equal to their constants.
 */
public final class ConfigKeys {

    private static final String NAME_RULE = "`[A-Za-z_][A-Za-z0-9_]*`";
    private static final String DURATION = "a duration (`500ms`, `5s`, `1m`, `1h`, `1d`)";
    private static final String NOT_DECLARED = "not declared";
    private static final String BOOL = "`true` or `false`";

    /** Needs, as any workload declares them (its section's sample is a view's). */
    public static final ConfigSection NEEDS = ConfigSection.of("Needs", "<workload>.needs",
            List.of("views", "trades_1m", "needs"),
            "What a workload needs. Views, alerts, reports, analyses, indexes and the query cache may each declare "
                    + "`needs:`, and the planner puts the workload on a path from it (hot, cold, hot+cold or hybrid; "
                    + "`tandem plan` shows each decision and the rule that made it). Every need is optional: one not "
                    + "declared takes the workload kind's default. Needs that contradict a workload's path are "
                    + "validation errors.",
            ConfigKey.of("user_waiting", BOOL, NOT_DECLARED,
                    "Someone waits for the answer; puts the workload on the hot path.", "user_waiting: true"),
            ConfigKey.of("trigger", BOOL, NOT_DECLARED,
                    "The workload raises alerts or notifications; puts it on the hot path.", "trigger: true"),
            ConfigKey.of("session_bound", BOOL, NOT_DECLARED,
                    "The data belongs to a user's session; puts the workload on the hot path.",
                    "session_bound: true"),
            ConfigKey.of("freshness", DURATION, NOT_DECLARED, "How fresh an answer must be; under "
                    + code(Durations.format(Planner.HOT_FRESHNESS_MS)) + " puts the workload on the hot path.",
                    "freshness: 2s"),
            ConfigKey.of("staleness", DURATION, NOT_DECLARED, "How stale an answer may be; over "
                    + code(Durations.format(Planner.COLD_STALENESS_MS)) + " is one of the rules for the cold path.",
                    "staleness: 1h"),
            ConfigKey.of("volume", "records per day (a whole number) or `auto`", NOT_DECLARED,
                    "How many records a day the workload reads; over " + Planner.COLD_VOLUME_PER_DAY
                            + " is one of the rules for the cold path. `auto` is the stream's rate in the lake over "
                            + "the last 7 days of sealed epochs, read at start-up, and counts as over it here.",
                    "volume: 1000000"),
            ConfigKey.of("complex", BOOL, NOT_DECLARED,
                    "The workload needs complex aggregations; one of the rules for the cold path.", "complex: true"));

    /** The file's top level. */
    public static final ConfigSection TOP = ConfigSection.of("Top level", "", List.of(),
            "The file's top level. Only `streams` is required. Names chosen in the file (streams, fields, views, "
                    + "measures, rules, reports, analyses, indexes) must match " + NAME_RULE + ".",
            ConfigKey.of("epoch", DURATION + ", at least `1s`", code(Durations.format(TandemConfig.DEFAULT_EPOCH_MS)),
                    "The length of an arrival-time epoch: the log stamps each event with the epoch it arrived in, "
                            + "and batch runs cover whole sealed epochs. Shorter epochs let the batch catch up sooner; "
                            + "longer ones make fewer, bigger runs.", "epoch: 15m"),
            ConfigKey.of("streams", "a mapping of stream name to stream (see Streams)", REQUIRED + " (at least one)",
                    "The event streams Tandem ingests, each with its event-time field and typed fields.",
                    "streams:\n  quotes:\n    time: ts\n    fields: {symbol: string, bid: double, ask: double}"),
            ConfigKey.of("views", "a mapping of view name to view (see Views)", "none",
                    "The aggregates kept up to date over the streams, bucketed by event time, on the hot path and "
                            + "in the batch, merged when queried.",
                    "views:\n  market_1m:\n    from: trades\n    granularity: 1m\n    measures: {trades: count}"),
            ConfigKey.of("alerts", "a mapping of rule name to rule (see Alerts)", "none",
                    "Rules checked on each event of a stream or on the buckets of a view.",
                    "alerts:\n  big_trade:\n    stream: trades\n    on: event\n    condition: \"qty >= 100000\""),
            ConfigKey.of("reports", "a mapping of report name to report (see Reports)", "none",
                    "SQL templates over the lake, run once per period and written to files.",
                    "reports:\n  hourly_volume:\n    schedule: hourly\n    format: csv\n"
                            + "    sql: \"SELECT symbol, sum(qty) AS volume FROM trades WHERE ts >= {{period_start}} "
                            + "AND ts < {{period_end}} GROUP BY symbol\""),
            ConfigKey.of("batch", "a mapping (see Batch)", "`{every: " + TandemConfig.DEFAULT_BATCH_EVERY + ", engine: "
                    + DeploymentDef.embedded().batch().kind() + "}`",
                    "When the batch layer recomputes the views from the lake, and on what engine.",
                    "batch: {every: 4}"),
            ConfigKey.of("analyses", "a mapping of analysis name to analysis (see Analyses)", "none",
                    "Anomaly scores for each closed bucket of one measure of a view, per group.",
                    "analyses:\n  trades_anomaly: {view: trades_1m, measure: trades}"),
            ConfigKey.of("indexes", "a mapping of index name to index (see Indexes)", "none",
                    "Full-text indexes over string fields of a stream.",
                    "indexes:\n  news_search: {stream: news, fields: [headline]}"),
            ConfigKey.of("query_cache", "a mapping (see Query cache)", "on, " + size(QueryCacheDef.DEFAULT_MAX_BYTES),
                    "The in-memory cache of merged-view query results.", "query_cache: {max_bytes: 128MiB}"),
            ConfigKey.of("duckdb", "a mapping (see DuckDB)",
                    size(DuckDbDef.DEFAULT_MEMORY_LIMIT) + ", the machine's cores",
                    "The limits of every DuckDB instance Tandem opens.", "duckdb: {memory_limit: 2GiB, threads: 4}"),
            ConfigKey.of("log", "a mapping (see Log)", "`{kind: " + DeploymentDef.embedded().log().kind() + "}`",
                    "What every stream's log runs on.", "log: {kind: kafka, bootstrap_servers: \"127.0.0.1:9092\"}"),
            ConfigKey.of("store", "a mapping (see Store)", "`{kind: " + DeploymentDef.embedded().store().kind() + "}`",
                    "What the real-time store runs on.", "store: {kind: redis, url: \"redis://127.0.0.1:6379\"}"),
            ConfigKey.of("security", "a mapping (see Security)", "none: the server binds 127.0.0.1 only",
                    "Who may use the HTTP API: API tokens, HTTPS and rate limits.",
                    "security: {tokens_file: tokens.jsonl}"));

    /** One stream. */
    public static final ConfigSection STREAM = ConfigSection.of("Streams", "streams.<stream>",
            List.of("streams", "trades"),
            "A stream: the events sent to `POST /v1/streams/{stream}/events` (or loaded by `tandem replay`) as JSON "
                    + "objects, checked against its fields.",
            ConfigKey.of("time", "a field name, or a mapping `{field, format, zone}` (see Stream time)", REQUIRED,
                    "The event-time field; views bucket events by it, not by arrival. Every event must have it. "
                            + "When `fields` declares it, its type must be `timestamp`.", "time: ts"),
            ConfigKey.of("lateness", DURATION, code(Durations.format(TandemConfig.DEFAULT_LATENESS_MS)),
                    "How long past a bucket's end late events are awaited before the bucket counts as closed "
                            + "(alerts `on: close` and analyses run then). A later event still counts exactly in the "
                            + "views; it is never dropped.", "lateness: 30s"),
            ConfigKey.of("max_future", DURATION, code(Durations.format(StreamDef.DEFAULT_MAX_FUTURE_MS)),
                    "The latest event time accepted, past the request's arrival time. A later event is rejected "
                            + "with an error naming the value and the bound, so one broken clock cannot push the "
                            + "watermark ahead.", "max_future: 10m"),
            ConfigKey.of("min_time", "an ISO-8601 timestamp or epoch milliseconds",
                    code(Instant.ofEpochMilli(StreamDef.DEFAULT_MIN_TIME_MS)),
                    "The earliest event time accepted; an earlier event is rejected the same way.",
                    "min_time: 2020-01-01T00:00:00Z"),
            ConfigKey.of("unknown_fields", oneOf(Arrays.stream(UnknownFields.values())
                            .map(u -> u.name().toLowerCase(Locale.ROOT)).toList()),
                    code(UnknownFields.IGNORE.name().toLowerCase(Locale.ROOT)),
                    "What ingest does with a JSON property the stream does not declare: drop it and accept the "
                            + "event, or reject the event, naming the property.", "unknown_fields: reject"),
            ConfigKey.of("on_bad_event", oneOf(Arrays.stream(BadEventPolicy.values())
                            .map(BadEventPolicy::configName).toList()),
                    code(BadEventPolicy.DEAD_LETTER.configName()),
                    "What the hot path does with a record of the log it cannot read or place (one written by "
                            + "another schema, or one a measure fails on): leave it out; leave it out and keep it "
                            + "with the reason (`GET /v1/streams/{stream}/dead-letters`); or stop the partition "
                            + "(ingest into the stream answers 503 until a restart).", "on_bad_event: skip"),
            ConfigKey.of("fields", "a mapping of field name to a type or a derived field (see Fields)", REQUIRED,
                    "The fields of an event. A missing or null field is stored as null; a value of the wrong "
                            + "type rejects the event with a message.",
                    "fields: {symbol: string, price: double, qty: long, trader: string}"));

    /** A stream's {@code time:} as a mapping. */
    public static final ConfigSection TIME = ConfigSection.of("Stream time", "streams.<stream>.time",
            List.of("streams", "trades", "time"),
            "`time:` as a mapping, for events whose time is not ISO-8601 text or epoch milliseconds.",
            ConfigKey.of("field", "a field name", REQUIRED, "The event-time field.", "field: ts"),
            ConfigKey.of("format", TimeFormat.NAMES, TimeFormat.DEFAULT.expected(),
                    "How the field writes the time: ISO-8601 text only; a number (or a string of one) of seconds, "
                            + "milliseconds, microseconds or nanoseconds since 1970, decimals cut to the "
                            + "millisecond toward the past; or a pattern, which must write and read back a date "
                            + "(one without a time of day reads midnight).", "format: epoch_s"),
            ConfigKey.of("zone", "a time zone like `UTC`, `Europe/Paris` or `+01:00`", "`UTC`",
                    "The zone a pattern's time is read in, unless the pattern has a zone or offset of its own.",
                    "format: \"yyyy-MM-dd HH:mm:ss\"\nzone: Europe/Paris"));

    /** A derived field's mapping; a declared field is {@code name: type}, one of {@link #FIELD_TYPES}. */
    public static final ConfigSection FIELD = ConfigSection.of("Fields", "streams.<stream>.fields.<field>",
            List.of("streams", "trades", "fields", "notional"),
            "A field is `name: type`, the type one of the table below, or `name: {expr: ...}`, a field derived "
                    + "from the others: `fields: {price: double, qty: long, notional: {expr: \"price * "
                    + "double(qty)\"}}`. Field names starting with `_` and the name `epoch` are taken by the lake.",
            ConfigKey.of("expr", "a CEL expression over the stream's declared fields, and its time field as an int "
                            + "of epoch milliseconds", REQUIRED + " (the one key of a derived field)",
                    "A derived field, computed from each event on the hot path (in Java) and in the batch (in "
                            + "SQL). Its type is the expression's: int as `long`, `double`, `string`, bool as "
                            + "`boolean`. Measures (`sum(notional)`) and conditions (`where`) read it like a "
                            + "declared field; it cannot be a `group_by` dimension. Only the CEL that compiles to "
                            + "both is allowed: arithmetic `+ - * / %`, comparisons, `&&`, `||`, `!`, `double()`, "
                            + "`size()`, string `+`, `startsWith`, `endsWith`, `contains` and `in [literals]`.",
                    "expr: \"price * double(qty)\""));

    /** What each type a field may declare holds. */
    public static final Map<FieldType, String> FIELD_TYPES = fieldTypes();

    /** One view. */
    public static final ConfigSection VIEW = ConfigSection.of("Views", "views.<view>", List.of("views", "trades_1m"),
            "A view aggregates one stream into buckets of event time, per group. The hot path keeps its recent "
                    + "buckets and the batch recomputes it exactly from the lake; a query merges both, each event "
                    + "counted once.",
            ConfigKey.of("from", "a stream name", REQUIRED, "The stream the view reads.", "from: trades"),
            ConfigKey.of("group_by", "a list of field names", "`[]`: one row per bucket",
                    "The dimensions: one row per distinct combination of their values per bucket. `bucket` and "
                            + "`source` are taken by query rows.", "group_by: [symbol]"),
            ConfigKey.of("granularity", "a duration from `1s` to `1d` that divides `1d` evenly", REQUIRED,
                    "The width of a bucket, on event time; queries roll up to any multiple of it.",
                    "granularity: 5m"),
            ConfigKey.of("where", "a CEL condition over the stream's fields", "none: every event",
                    "A filter applied to each event before any measure.", "where: \"qty > 0\""),
            ConfigKey.of("measures", "a mapping of measure name to measure (see Measures)", REQUIRED
                            + " (at least one)",
                    "What each bucket holds. A measure may not be named like a `group_by` field, `bucket` or "
                            + "`source`.", "measures: {trades: count, volume: sum(qty), close: last(price)}"),
            ConfigKey.of("results", "a mapping of result name to a CEL expression over the view's measures", "none",
                    "Values computed on every merged row from its measures (`count` and `distinct` as ints, every "
                            + "other measure as a double, as alert conditions see them). Query rows and live rows "
                            + "carry them after the measures, and alert conditions read them.",
                    "results: {change: \"(close - open) / open\"}"),
            ConfigKey.of("needs", "a mapping (see Needs)", NOT_DECLARED,
                    "What the view needs, from which the planner picks its path.",
                    "needs: {user_waiting: true, freshness: 2s}"));

    /** Where a view's measures are; its keys are the names the user gives, its values {@link #MEASURES}. */
    public static final ConfigSection MEASURE = ConfigSection.of("Measures", "views.<view>.measures.<measure>",
            List.of("views", "trades_1m", "measures"),
            "A measure is `name: function`, `name: function(field)` or `name: quantile(field, rank)`, and any of "
                    + "them may end with `where <CEL condition>` over the stream's fields, which filters the events "
                    + "the measure adds: `big: count where qty >= 1000`. Numeric fields are `long`, `double` and "
                    + "`timestamp` (epoch milliseconds); a measure may read the stream's time field when `fields` "
                    + "does not declare it. Null values are skipped, and every result but `count`'s is null for a "
                    + "bucket with no value. Every measure is mergeable, so the hot path's and the batch's parts add "
                    + "up exactly. In alert conditions `count` and `distinct` are CEL ints, every other measure a "
                    + "double.");

    /** The functions of a measure, in the order of {@link Measures#FUNCTIONS}. */
    public static final List<MeasureFunction> MEASURES = List.of(
            new MeasureFunction("count", "`count`, `count(f)`", "any field", "a long, 0 for an empty bucket",
                    "The number of events, or of events whose `f` is not null.", "trades: count"),
            new MeasureFunction("sum", "`sum(f)`", "numeric", "exact for long and timestamp fields (a long, beyond "
                    + "its range a big integer), else a double", "The total.", "volume: sum(qty)"),
            new MeasureFunction("min", "`min(f)`", "numeric", "a long for long and timestamp fields, else a double",
                    "The smallest value.", "low: min(price)"),
            new MeasureFunction("max", "`max(f)`", "numeric", "a long for long and timestamp fields, else a double",
                    "The largest value.", "high: max(price)"),
            new MeasureFunction("first", "`first(f)`", "numeric", "the field's value",
                    "The value of the earliest event by event time; ties go to the earliest arrival.",
                    "open: first(price)"),
            new MeasureFunction("last", "`last(f)`", "numeric", "the field's value",
                    "The value of the latest event by event time; ties go to the latest arrival.",
                    "close: last(price)"),
            new MeasureFunction("mean", "`mean(f)`", "numeric", "a double", "The arithmetic mean.",
                    "avg_big_price: mean(price) where qty >= 1000"),
            new MeasureFunction("variance", "`variance(f)`", "numeric", "a double", "The population variance.",
                    "price_var: variance(price)"),
            new MeasureFunction("distinct", "`distinct(f)`", "any field", "a long, estimated",
                    "The number of distinct values, estimated by HyperLogLog with " + (1 << Measures.HLL_LG_K)
                            + " buckets (about 1.6 % relative standard error).", "traders: distinct(trader)"),
            new MeasureFunction("quantile", "`quantile(f, q)`", "numeric", "a double, estimated",
                    "The value at rank `q`, from 0 to 1, estimated by a KLL sketch of k = " + Measures.KLL_K
                            + " (about 1.65 % rank error).", "p99_qty: quantile(qty, 0.99)"));

    /** One alert rule. */
    public static final ConfigSection ALERT = ConfigSection.of("Alerts", "alerts.<rule>",
            List.of("alerts", "price_jump"),
            "A rule reads a view's buckets (`on: update`, `on: close`) or a stream's events (`on: event`) and fires "
                    + "when its CEL condition holds: at most once per (rule, group, bucket), or once per event, "
                    + "with a deterministic id. Alerts are kept in `<data-dir>/alerts/alerts.jsonl`, listed at "
                    + "`GET /v1/alerts` and pushed at `GET /v1/alerts/live`.",
            ConfigKey.of("view", "a view name", REQUIRED + " unless `stream`",
                    "The view whose buckets the rule checks; give `view` or `stream`, not both.",
                    "view: trades_1m"),
            ConfigKey.of("stream", "a stream name", REQUIRED + " unless `view`",
                    "The stream whose events the rule checks, with `on: event`.",
                    "stream: trades\non: event\ncondition: \"qty >= 100000\"").exampleIsWholeItem(),
            ConfigKey.of("for_each", "a list of field names", "the view's `group_by`; none for a rule on a stream",
                    "The dimensions that identify one alert: every `group_by` field of the view, or fields of "
                            + "the stream.", "for_each: [symbol]"),
            ConfigKey.of("on", "`" + AlertDef.Trigger.UPDATE.configName() + "` or `"
                            + AlertDef.Trigger.CLOSE.configName() + "` for a view, `"
                            + AlertDef.Trigger.EVENT.configName() + "` for a stream", REQUIRED,
                    "When the rule is checked: after each change to the open bucket (it fires as soon as the "
                            + "condition holds); on a bucket's final value, once the stream's watermark passes its "
                            + "end; or on each event, compiled to Java on the hot path.", "on: close"),
            ConfigKey.of("condition", "a CEL condition", REQUIRED,
                    "Over a view, it reads the bucket's measures and results and `prev`; over a stream, the "
                            + "event's fields. A null measure makes what reads it unknown, so neither the "
                            + "condition nor its negation holds on it.",
                    "condition: \"close > open * 1.02 || close < open * 0.98\""),
            ConfigKey.of("prev", "a whole number from 1 to " + ConfigLoader.MAX_PREV,
                    "one more than the largest `k` of a `prev[k]` in the condition, 0 when it has none; "
                            + REQUIRED + " when it reads `prev` as a list",
                    "How many previous buckets of the group `prev` holds, newest first (`prev[0].close`); "
                            + "`avg`, `sum`, `min` and `max` take a list of numbers. Only a rule on a view has it.",
                    "on: close\nprev: 30\ncondition: \"size(prev) == 30 && volume > 5.0 * avg(prev.map(p, "
                            + "p.volume))\""),
            ConfigKey.of("webhook", "an `http://` or `https://` URL with a host", "none",
                    "Where each alert is POSTed, with `Idempotency-Key: <alert id>`; retried, then dead-lettered "
                            + "(`GET /v1/alerts/dead-letters`).", "webhook: http://127.0.0.1:9000/alerts"),
            ConfigKey.of("needs", "a mapping (see Needs)", NOT_DECLARED + " (an alert's default is `trigger: true`)",
                    "What the rule needs; an alert runs on the hot path only.", "needs: {trigger: true}"));

    /** One report. */
    public static final ConfigSection REPORT = ConfigSection.of("Reports", "reports.<report>",
            List.of("reports", "daily"),
            "A SQL template over the lake, run once per period when the period is due and the batch covers every "
                    + "epoch that can hold its events; each period is written once, atomically, to "
                    + "`<data-dir>/reports/<report>/<period>.<format>`, and missed periods are caught up.",
            ConfigKey.of("sql", "one read-only query holding `{{period_start}}` and `{{period_end}}`", REQUIRED,
                    "The query. Each stream is a table, each view's current batch version too; the placeholders "
                            + "become `TIMESTAMP` literals in UTC. `tandem validate` binds it with DuckDB against "
                            + "the tables' columns.",
                    "sql: |\n  SELECT symbol, sum(qty) AS volume\n  FROM trades\n"
                            + "  WHERE ts >= {{period_start}} AND ts < {{period_end}}\n  GROUP BY symbol"),
            ConfigKey.of("schedule", "`hourly`, `daily at HH:MM`, `weekly` or `monthly`, in UTC", REQUIRED,
                    "The periods: hours; days, run at HH:MM the day after; ISO weeks from Monday; or months.",
                    "schedule: daily at 00:05"),
            ConfigKey.of("format", "`csv`, `parquet` or `json`", REQUIRED, "The format of each period's file.",
                    "format: parquet"),
            ConfigKey.of("needs", "a mapping (see Needs)", NOT_DECLARED + " (a report's defaults: no user "
                            + "waiting, `staleness: 1d`, `volume: auto`, `complex: true`)",
                    "What the report needs; a report runs on the cold path only.",
                    "needs: {staleness: 1d, volume: auto}"));

    /** The batch layer: its cadence and engine. */
    public static final ConfigSection BATCH = new ConfigSection("Batch", "batch", List.of("batch"),
            "When the batch layer recomputes the views from the lake, and what it runs on.", List.of(
            ConfigKey.of("every", "a whole number, at least 1", code(TandemConfig.DEFAULT_BATCH_EVERY),
                    "A batch run starts after this many newly sealed epochs.", "every: 4"),
            ConfigKey.of("engine", "`duckdb` or `spark`", code(DeploymentDef.embedded().batch().kind()),
                    "The batch engine: the embedded DuckDB, or Spark (its jars are not in `tandem.jar`: build "
                            + "them with `mvn -pl tandem-spark -am package -DskipTests`).", "engine: spark"),
            ConfigKey.of("master", "a Spark master: `local`, `local[N]`, `local[*]`, `spark://host:port`, `yarn` "
                            + "or `k8s://...`", "`local[2]`", "Where Spark runs.",
                    "engine: spark\nmaster: \"spark://spark.internal:7077\"").onlyFor("spark")),
            "engine", List.of("duckdb", "spark"));

    /** One analysis. */
    public static final ConfigSection ANALYSIS = ConfigSection.of("Analyses", "analyses.<analysis>",
            List.of("analyses", "volume_anomaly"),
            "Scores each closed bucket of one measure of a view, per group, for anomalies: a quick pass on the hot "
                    + "path (a random cut forest per group), then, for a bucket graded anomalous, a deep pass over "
                    + "the group's last 7 days in the lake that explains it.",
            ConfigKey.of("view", "a view name", REQUIRED, "The view whose buckets are scored.", "view: trades_1m"),
            ConfigKey.of("measure", "a measure name of the view", REQUIRED, "The measure that is scored.",
                    "measure: trades"),
            ConfigKey.of("for_each", "a list of the view's `group_by` fields", "the view's `group_by`",
                    "The dimensions a model is kept for; fewer than the view's only for a `count` or `sum` "
                            + "measure, whose values add up.", "for_each: [symbol]"),
            ConfigKey.of("needs", "a mapping (see Needs)", NOT_DECLARED, "What the analysis needs.",
                    "needs: {user_waiting: true, freshness: 3s}"));

    /** One search index. */
    public static final ConfigSection INDEX = ConfigSection.of("Indexes", "indexes.<index>",
            List.of("indexes", "headlines"),
            "A full-text index (Lucene) over string fields of a stream, searched at `GET /v1/search/{index}` and "
                    + "by `tandem search`. New events are searchable within a second; after each batch run the "
                    + "index is rebuilt from the lake.",
            ConfigKey.of("stream", "a stream name", REQUIRED, "The stream whose events are indexed.",
                    "stream: news"),
            ConfigKey.of("fields", "a non-empty list of the stream's `string` fields", REQUIRED,
                    "The fields searched, with Lucene's StandardAnalyzer; every field of the event is returned "
                            + "with each hit.", "fields: [headline, source]"),
            ConfigKey.of("needs", "a mapping (see Needs)", NOT_DECLARED, "What the index needs.",
                    "needs: {user_waiting: true, freshness: 1s}"));

    /** The query cache. */
    public static final ConfigSection QUERY_CACHE = ConfigSection.of("Query cache", "query_cache",
            List.of("query_cache"),
            "Merged-view query results (`GET /v1/views/{view}`) are cached in memory. A hot-path commit removes "
                    + "the entries it changes; a batch publish drops the older ones.",
            ConfigKey.of("enabled", BOOL, code(QueryCacheDef.DEFAULT.enabled()),
                    "Whether merged-view query results are cached.", "enabled: false"),
            ConfigKey.of("max_bytes", "a size from `1KiB` to `1TiB`", size(QueryCacheDef.DEFAULT_MAX_BYTES),
                    "The bound, in estimated bytes of cached results; beyond it entries are evicted.",
                    "max_bytes: 256MiB"),
            ConfigKey.of("warm", "a whole number from 0 to 10000", code(QueryCacheDef.DEFAULT_WARM),
                    "How many of the most asked queries are recomputed after each batch publish, before anyone "
                            + "asks.", "warm: 50"),
            ConfigKey.of("needs", "a mapping (see Needs)", NOT_DECLARED, "What the cache needs.",
                    "needs: {user_waiting: true}"));

    /** The DuckDB instances' limits. */
    public static final ConfigSection DUCKDB = ConfigSection.of("DuckDB", "duckdb", List.of("duckdb"),
            "The limits of each DuckDB instance Tandem opens: the lake writer, the batch engine, the batch views' "
                    + "writer, the SQL sandbox, the report writer, the search index rebuilds and the analyses' "
                    + "history.",
            ConfigKey.of("memory_limit", "a size (`65536`, `512KiB`, `64MiB`, `1GiB`; B, KB, KiB, MB, MiB, GB, "
                            + "GiB), at least `64MiB`", size(DuckDbDef.DEFAULT_MEMORY_LIMIT),
                    "DuckDB's `memory_limit` for each instance; beyond it DuckDB spills to "
                            + "`<data-dir>/tmp/duckdb`.", "memory_limit: 2GiB"),
            ConfigKey.of("threads", "a whole number from 1 to " + DuckDbDef.MAX_THREADS,
                    "the machine's cores, at most " + DuckDbDef.MAX_THREADS,
                    "DuckDB's worker threads for each instance (the lake writer always uses 1).", "threads: 2"));

    /** The log. */
    public static final ConfigSection LOG = new ConfigSection("Log", "log", List.of("log"),
            "What every stream's log runs on.", List.of(
            ConfigKey.of("kind", "`file` or `kafka`", code(DeploymentDef.embedded().log().kind()),
                    "`file`: segmented files under `<data-dir>/log`. `kafka`: one topic per stream, transactions "
                            + "for atomic units, the broker's append time as arrival.", "kind: kafka"),
            ConfigKey.of("bootstrap_servers", "`host:port[,host:port...]`", "`127.0.0.1:9092`",
                    "The Kafka brokers.", "kind: kafka\nbootstrap_servers: \"10.0.0.1:9092,10.0.0.2:9092\"")
                    .onlyFor("kafka"),
            ConfigKey.of("topic_prefix", "at most 200 letters, digits, `.`, `_` or `-`", "`tandem.`",
                    "What a stream's topic is named: this prefix, then the stream's name.",
                    "kind: kafka\ntopic_prefix: \"prod.tandem.\"").onlyFor("kafka"),
            ConfigKey.of("replication_factor", "a whole number from 1 to 32767", "the broker's default",
                    "The replication factor of the topics Tandem creates.", "kind: kafka\nreplication_factor: 3")
                    .onlyFor("kafka")),
            "kind", List.of("file", "kafka"));

    /** The real-time store. */
    public static final ConfigSection STORE = new ConfigSection("Store", "store", List.of("store"),
            "What the real-time store (the hot path's state) runs on.", List.of(
            ConfigKey.of("kind", "`memory` or `redis`", code(DeploymentDef.embedded().store().kind()),
                    "`memory`: in the process, checkpointed to `<data-dir>/store`. `redis`: in a Redis server that "
                            + "other nodes read too, one atomic script per committed batch (run it with "
                            + "`appendonly yes`).", "kind: redis"),
            ConfigKey.of("url", "a `redis://` or `rediss://` URL with a host", "`redis://127.0.0.1:6379`",
                    "The Redis server.", "kind: redis\nurl: \"rediss://redis.internal:6380\"").onlyFor("redis"),
            ConfigKey.of("key_prefix", "a non-empty prefix without spaces", "`tandem:`",
                    "Put before every key Tandem writes, so that deployments can share a Redis.",
                    "kind: redis\nkey_prefix: \"prod:\"").onlyFor("redis")),
            "kind", List.of("memory", "redis"));

    /** Who may use the HTTP API. */
    public static final ConfigSection SECURITY = ConfigSection.of("Security", "security", List.of("security"),
            "Who may use the HTTP API. A relative file name is read from the config file's folder.",
            ConfigKey.of("tokens_file", "a file name", "none: the server binds 127.0.0.1 only",
                    "The hashed API tokens, written by `tandem token create`; required to serve off loopback. A "
                            + "running server reads it again when it changes.", "tokens_file: tokens.jsonl"),
            ConfigKey.of("tls", "a mapping `{cert_file, key_file}`", "none: plain HTTP",
                    "Serve HTTPS only, from a PEM pair.", "tls: {cert_file: cert.pem, key_file: key.pem}"),
            ConfigKey.of("rate_limit", "a mapping `{requests_per_second, burst}`", "none",
                    "A limit per token; beyond it requests get 429 with `Retry-After`.",
                    "rate_limit: {requests_per_second: 50, burst: 100}"));

    /** HTTPS. */
    public static final ConfigSection TLS = ConfigSection.of("TLS", "security.tls", List.of("security", "tls"),
            "The PEM pair the server serves HTTPS from.",
            ConfigKey.of("cert_file", "a PEM file", REQUIRED, "The certificate chain.",
                    "cert_file: /etc/tandem/cert.pem"),
            ConfigKey.of("key_file", "a PEM file", REQUIRED, "The private key, unencrypted.",
                    "key_file: /etc/tandem/key.pem"));

    /** Rate limits per token. */
    public static final ConfigSection RATE_LIMIT = ConfigSection.of("Rate limit", "security.rate_limit",
            List.of("security", "rate_limit"), "How fast each token may send requests.",
            ConfigKey.of("requests_per_second", "a number from 0.01 to 1000000", REQUIRED,
                    "The sustained rate.", "requests_per_second: 20"),
            ConfigKey.of("burst", "a whole number from 1 to 10000000", "`requests_per_second` rounded up",
                    "How many requests may come at once after a pause.", "burst: 100"));

    /** Every section, in the order of the reference. */
    public static final List<ConfigSection> SECTIONS = List.of(TOP, STREAM, TIME, FIELD, VIEW, MEASURE, ALERT,
            REPORT, BATCH, ANALYSIS, INDEX, QUERY_CACHE, DUCKDB, LOG, STORE, SECURITY, TLS, RATE_LIMIT, NEEDS);

    private ConfigKeys() {
    }

    private static Map<FieldType, String> fieldTypes() {
        Map<FieldType, String> types = new EnumMap<>(FieldType.class);
        types.put(FieldType.STRING, "text");
        types.put(FieldType.LONG, "a 64-bit whole number");
        types.put(FieldType.DOUBLE, "a 64-bit floating-point number");
        types.put(FieldType.BOOLEAN, "`true` or `false`");
        types.put(FieldType.TIMESTAMP, "an instant: ISO-8601 text or epoch milliseconds, held as epoch "
                + "milliseconds");
        return Collections.unmodifiableMap(types);
    }

    /** A value as code: {@code `5s`}. */
    private static String code(Object value) {
        return "`" + value + "`";
    }

    /** Values as code, the last after "or": {@code `a`, `b` or `c`}. */
    private static String oneOf(List<String> values) {
        List<String> coded = values.stream().map(ConfigKeys::code).toList();
        return String.join(", ", coded.subList(0, coded.size() - 1)) + " or " + coded.get(coded.size() - 1);
    }

    /** A byte size as the config writes it, in the largest binary unit that divides it: {@code `64MiB`}. */
    private static String size(long bytes) {
        String[] units = {"GiB", "MiB", "KiB"};
        for (int i = 0; i < units.length; i++) {
            long unit = 1L << (10 * (units.length - i));
            if (bytes % unit == 0) {
                return code(bytes / unit + units[i]);
            }
        }
        return code(bytes);
    }
}
