package io.tandem.core.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.tandem.core.AlertDef;
import io.tandem.core.AnalysisDef;
import io.tandem.core.BadEventPolicy;
import io.tandem.core.ComponentDef;
import io.tandem.core.DeploymentDef;
import io.tandem.core.DerivedField;
import io.tandem.core.DuckDbDef;
import io.tandem.core.FieldDef;
import io.tandem.core.FieldType;
import io.tandem.core.IndexDef;
import io.tandem.core.MeasureDef;
import io.tandem.core.Needs;
import io.tandem.core.QueryCacheDef;
import io.tandem.core.ReportDef;
import io.tandem.core.SecurityDef;
import io.tandem.core.StreamDef;
import io.tandem.core.TandemConfig;
import io.tandem.core.UnknownFields;
import io.tandem.core.ViewDef;
import io.tandem.core.expr.CelCondition;
import io.tandem.core.expr.Expressions;
import io.tandem.core.expr.ViewResults;
import io.tandem.core.measure.Measures;
import io.tandem.core.plan.Planner;
import io.tandem.core.time.Durations;
import io.tandem.core.time.TimeFormat;
import io.tandem.core.time.Timestamps;
import org.yaml.snakeyaml.error.MarkedYAMLException;

import org.apache.commons.text.similarity.LevenshteinDistance;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads and validates a {@code tandem.yaml} (see {@code examples/market.yaml} for the whole shape).
 *
 * <p>The YAML is read into a tree, then checked by hand so that every problem is reported at once, each as
 * {@code path.of.the.key: what is wrong, got <the value>}. The keys each mapping admits are {@link ConfigKeys}', the
 * definition {@code tandem config-reference} prints. Measures and view filters are checked by compiling them
 * with {@link Measures#compile} and {@link Expressions#predicate}. The views of a stream that has errors of its own
 * get only the checks that do not depend on its fields, so that one bad field type does not cascade.
 *
 * <p>Reports are checked for their shape only: a schedule ({@code hourly}, {@code daily at HH:MM}, {@code weekly},
 * {@code monthly}), a format and SQL holding both period placeholders; the SQL itself runs later, against the lake.
 * Alert rules (see {@link AlertDef}) are checked against the stream or view they name, and their conditions are
 * compiled: over the stream's fields for {@code on: event}, over the view's measures and {@code prev} otherwise.
 * Every workload may declare {@code needs:} (see {@link Needs}); analyses are checked against the view and measure
 * they read, indexes against the string fields of their stream. A config without other errors is then checked for
 * needs that contradict a workload's path ({@link Planner#contradictions}).
 */
public final class ConfigLoader {

    private static final YAMLMapper YAML = YAMLMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    /** Column names every query row carries besides the dimensions and measures. */
    private static final List<String> RESERVED_COLUMNS = List.of("bucket", "source");
    /** The most previous buckets an alert rule may keep in {@code prev}. */
    static final int MAX_PREV = 1_000;
    private static final Pattern BYTES = Pattern.compile("(\\d+)\\s*(B|KB|KiB|MB|MiB|GB|GiB)?");
    private static final List<String> REPORT_FORMATS = List.of("csv", "parquet", "json");
    private static final List<String> PLACEHOLDERS = List.of("{{period_start}}", "{{period_end}}");
    private static final String SCHEDULES = "hourly, daily at HH:MM, weekly or monthly";
    private static final Pattern DAILY = Pattern.compile("daily at (\\d\\d):(\\d\\d)");
    private static final String TYPES = "string, long, double, boolean or timestamp";
    private static final long SECOND_MS = 1_000;
    private static final long DAY_MS = 86_400_000;

    private final List<String> errors = new ArrayList<>();
    private final Map<String, StreamDef> streams = new LinkedHashMap<>();
    /** Every declared stream name, valid or not, in file order. */
    private final List<String> streamNames = new ArrayList<>();
    /** Every declared view name, valid or not, in file order. */
    private final List<String> viewNames = new ArrayList<>();
    /** The views that have errors of their own: alert rules over them get only the checks that do not need them. */
    private final Set<String> badViews = new HashSet<>();

    /** Where relative paths in the config start: the config file's folder. */
    private final Path baseDir;

    private ConfigLoader(Path baseDir) {
        this.baseDir = baseDir;
    }

    /**
     * Reads and validates a configuration file.
     *
     * @throws ConfigException listing every problem, or saying why the file cannot be read
     */
    public static TandemConfig load(Path file) {
        String yaml;
        try {
            yaml = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file.toString(), List.of("no such file"));
        } catch (IOException e) {
            throw new ConfigException(file.toString(), List.of("cannot read: " + e));
        }
        Path dir = file.toAbsolutePath().getParent();
        return parse(yaml, file.toString(), dir == null ? Path.of("") : dir);
    }

    /**
     * Parses and validates a configuration; relative paths in it are taken from the working directory.
     *
     * @param sourceName where the text came from, carried by a {@link ConfigException}
     * @throws ConfigException listing every problem
     */
    public static TandemConfig parse(String yaml, String sourceName) {
        return parse(yaml, sourceName, Path.of(""));
    }

    private static TandemConfig parse(String yaml, String sourceName, Path baseDir) {
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (JsonProcessingException e) {
            throw new ConfigException(sourceName, List.of(syntaxError(e)));
        }
        ConfigLoader loader = new ConfigLoader(baseDir);
        TandemConfig config = loader.config(root);
        if (loader.errors.isEmpty()) {
            loader.errors.addAll(Planner.contradictions(config));
        }
        if (!loader.errors.isEmpty()) {
            throw new ConfigException(sourceName, loader.errors);
        }
        return config;
    }

    // ---- top level -------------------------------------------------------------------------------------------

    private TandemConfig config(JsonNode root) {
        if (isAbsent(root)) {
            error("streams", "missing (declare at least one stream)");
            return null;
        }
        if (!root.isObject()) {
            error("top level", "expected a mapping with epoch, streams and views, got " + describe(root));
            return null;
        }
        checkKeys(root, "", ConfigKeys.TOP.names());
        long epochMs = epoch(root.get("epoch"));
        readStreams(root.get("streams"));
        Map<String, ViewDef> views = views(root.get("views"));
        int batchEvery = batch(root.get("batch"));
        DeploymentDef deployment = deployment(root);
        Map<String, ReportDef> reports = reports(root.get("reports"));
        Map<String, AlertDef> alerts = alerts(root.get("alerts"), views);
        Map<String, AnalysisDef> analyses = analyses(root.get("analyses"), views);
        Map<String, IndexDef> indexes = indexes(root.get("indexes"));
        QueryCacheDef queryCache = queryCache(root.get("query_cache"));
        DuckDbDef duckdb = duckdb(root.get("duckdb"));
        SecurityDef security = security(root.get("security"));
        return new TandemConfig(epochMs, streams, views, batchEvery, reports, alerts, analyses, indexes, queryCache,
                duckdb, deployment, security);
    }

    private long epoch(JsonNode node) {
        if (isAbsent(node)) {
            return TandemConfig.DEFAULT_EPOCH_MS;
        }
        long ms = duration(node, "epoch");
        if (ms >= 0 && ms < SECOND_MS) {
            error("epoch", "must be at least 1s, got " + node.asText());
        }
        return ms;
    }

    // ---- streams ---------------------------------------------------------------------------------------------

    private void readStreams(JsonNode node) {
        if (isAbsent(node)) {
            error("streams", "missing (declare at least one stream)");
        } else if (!node.isObject()) {
            error("streams", "expected a mapping of stream name to stream, got " + describe(node));
        } else if (node.isEmpty()) {
            error("streams", "expected at least one stream");
        } else {
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                streamNames.add(e.getKey());
                int before = errors.size();
                StreamDef stream = stream(e.getKey(), e.getValue());
                if (errors.size() == before) {
                    streams.put(stream.name(), stream);
                }
            }
        }
    }

    private StreamDef stream(String name, JsonNode node) {
        String path = "streams." + name;
        checkName(path, name);
        if (!node.isObject()) {
            error(path, "expected a mapping with " + String.join(", ", ConfigKeys.STREAM.names()) + ", got "
                    + describe(node));
            return null;
        }
        checkKeys(node, path, ConfigKeys.STREAM.names());
        JsonNode timeNode = node.get("time");
        boolean timeMapping = timeNode != null && timeNode.isObject();
        String time = timeField(timeMapping ? timeNode.get("field") : timeNode,
                path + (timeMapping ? ".time.field" : ".time"));
        TimeFormat timeFormat = timeMapping ? timeFormat(timeNode, path + ".time") : TimeFormat.DEFAULT;
        long latenessMs = isAbsent(node.get("lateness"))
                ? TandemConfig.DEFAULT_LATENESS_MS
                : duration(node.get("lateness"), path + ".lateness");
        long maxFutureMs = isAbsent(node.get("max_future"))
                ? StreamDef.DEFAULT_MAX_FUTURE_MS
                : duration(node.get("max_future"), path + ".max_future");
        long minTimeMs = isAbsent(node.get("min_time"))
                ? StreamDef.DEFAULT_MIN_TIME_MS
                : timestamp(node.get("min_time"), path + ".min_time");
        UnknownFields unknown = unknownFields(node.get("unknown_fields"), path + ".unknown_fields");
        BadEventPolicy onBad = badEventPolicy(node.get("on_bad_event"), path + ".on_bad_event");
        Map<String, JsonNode> derived = new LinkedHashMap<>();
        List<FieldDef> fields = fields(node.get("fields"), path + ".fields", time, derived);
        StreamDef stream = new StreamDef(name, time, latenessMs, fields, unknown, Math.max(0, maxFutureMs),
                minTimeMs, onBad, timeFormat);
        return stream.withDerived(derived(derived, path + ".fields", stream));
    }

    /**
     * The derived fields ({@code NAME: {expr: "..."}}), each checked over the declared fields, with its type from
     * its expression.
     */
    private List<DerivedField> derived(Map<String, JsonNode> nodes, String path, StreamDef stream) {
        List<DerivedField> derived = new ArrayList<>();
        nodes.forEach((name, node) -> {
            String fieldPath = path + "." + name;
            checkKeys(node, fieldPath, ConfigKeys.FIELD.names());
            JsonNode exprNode = node.get("expr");
            if (isAbsent(exprNode)) {
                error(fieldPath + ".expr", "missing (a CEL expression over the declared fields, like "
                        + "\"price * double(qty)\")");
                return;
            }
            String expr = text(exprNode, fieldPath + ".expr", "a CEL expression like \"price * double(qty)\"");
            if (expr == null) {
                return;
            }
            if (name.equals(stream.timeField())) {
                error(fieldPath, "'" + name + "' is the time field, which events carry: it cannot be derived");
                return;
            }
            try {
                derived.add(new DerivedField(name, expr, Expressions.derivedType(expr, stream)));
            } catch (IllegalArgumentException e) {
                error(fieldPath + ".expr", e.getMessage());
            }
        });
        return derived;
    }

    /** The {@code format} and {@code zone} of a {@code time: {field, format, zone}} mapping. */
    private TimeFormat timeFormat(JsonNode node, String path) {
        checkKeys(node, path, ConfigKeys.TIME.names());
        ZoneId zone = ZoneOffset.UTC;
        JsonNode zoneNode = node.get("zone");
        if (!isAbsent(zoneNode)) {
            String text = text(zoneNode, path + ".zone", "a time zone like UTC, Europe/Paris or +01:00");
            try {
                zone = text == null ? zone : ZoneId.of(text);
            } catch (DateTimeException e) {
                error(path + ".zone", "expected a time zone like UTC, Europe/Paris or +01:00, got "
                        + describe(zoneNode));
            }
        }
        JsonNode formatNode = node.get("format");
        if (isAbsent(formatNode)) {
            return TimeFormat.DEFAULT;
        }
        String text = text(formatNode, path + ".format", TimeFormat.NAMES);
        if (text == null) {
            return TimeFormat.DEFAULT;
        }
        try {
            return TimeFormat.of(text, zone);
        } catch (IllegalArgumentException e) {
            error(path + ".format", e.getMessage());
            return TimeFormat.DEFAULT;
        }
    }

    private BadEventPolicy badEventPolicy(JsonNode node, String path) {
        if (isAbsent(node)) {
            return BadEventPolicy.DEAD_LETTER;
        }
        String text = node.isValueNode() ? node.asText() : "";
        for (BadEventPolicy p : BadEventPolicy.values()) {
            if (p.configName().equals(text)) {
                return p;
            }
        }
        error(path, "expected skip, dead_letter or fail, got " + describe(node));
        return null;
    }

    private String timeField(JsonNode node, String path) {
        if (isAbsent(node)) {
            error(path, "missing (the name of the event-time field)");
            return null;
        }
        String time = text(node, path, "a field name");
        if (time != null) {
            checkName(path, time);
            checkNotLakeColumn(path, time);
        }
        return time;
    }

    private UnknownFields unknownFields(JsonNode node, String path) {
        if (isAbsent(node)) {
            return UnknownFields.IGNORE;
        }
        return switch (node.isValueNode() ? node.asText() : "") {
            case "ignore" -> UnknownFields.IGNORE;
            case "reject" -> UnknownFields.REJECT;
            default -> {
                error(path, "expected ignore or reject, got " + describe(node));
                yield null;
            }
        };
    }

    /** The declared fields; the derived ones ({@code {expr: ...}}) go to {@code derived}, to be checked after. */
    private List<FieldDef> fields(JsonNode node, String path, String timeField, Map<String, JsonNode> derived) {
        List<FieldDef> fields = new ArrayList<>();
        if (isAbsent(node)) {
            error(path, "missing (a mapping of field name to type)");
        } else if (!node.isObject()) {
            error(path, "expected a mapping of field name to type, got " + describe(node));
        } else {
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                if (e.getValue().isObject() && e.getValue().has("expr")) {
                    checkName(path + "." + e.getKey(), e.getKey());
                    checkNotLakeColumn(path + "." + e.getKey(), e.getKey());
                    derived.put(e.getKey(), e.getValue());
                    continue;
                }
                FieldDef field = field(e.getKey(), e.getValue(), path + "." + e.getKey(), timeField);
                if (field != null) {
                    fields.add(field);
                }
            }
        }
        return fields;
    }

    /** The lake adds {@code _arrival}, {@code _epoch}, {@code _partition}, {@code _offset} and epoch folders. */
    private void checkNotLakeColumn(String path, String name) {
        if (name.startsWith("_") || name.equals("epoch")) {
            error(path, "'" + name + "' is reserved: the lake adds the columns _arrival, _epoch, _partition and "
                    + "_offset and the folders epoch=N (names starting with _ and the name epoch are taken)");
        }
    }

    private FieldDef field(String name, JsonNode node, String path, String timeField) {
        checkName(path, name);
        checkNotLakeColumn(path, name);
        if (!node.isValueNode() || node.isNull()) {
            error(path, "expected a type (" + TYPES + ") or a derived field {expr: \"...\"}, got "
                    + describe(node));
            return null;
        }
        FieldType type = fieldType(node.asText());
        if (type == null) {
            error(path, "unknown type '" + node.asText() + "' (expected " + TYPES + ")");
            return null;
        }
        if (name.equals(timeField) && type != FieldType.TIMESTAMP) {
            error(path, "'" + name + "' is the time field, so its type must be timestamp, got " + type.configName());
        }
        return new FieldDef(name, type);
    }

    private static FieldType fieldType(String text) {
        for (FieldType type : FieldType.values()) {
            if (type.configName().equals(text)) {
                return type;
            }
        }
        return null;
    }

    // ---- views -----------------------------------------------------------------------------------------------

    private Map<String, ViewDef> views(JsonNode node) {
        Map<String, ViewDef> views = new LinkedHashMap<>();
        if (isAbsent(node)) {
            return views;
        }
        if (!node.isObject()) {
            error("views", "expected a mapping of view name to view, got " + describe(node));
            return views;
        }
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            viewNames.add(e.getKey());
            int before = errors.size();
            ViewDef view = view(e.getKey(), e.getValue());
            if (view != null) {
                views.put(view.name(), view);
            }
            if (errors.size() != before || view == null || !streams.containsKey(view.from())) {
                badViews.add(e.getKey());
            }
        }
        return views;
    }

    private ViewDef view(String name, JsonNode node) {
        String path = "views." + name;
        checkName(path, name);
        if (!node.isObject()) {
            error(path, "expected a mapping with " + String.join(", ", ConfigKeys.VIEW.names()) + ", got "
                    + describe(node));
            return null;
        }
        checkKeys(node, path, ConfigKeys.VIEW.names());
        String from = from(node.get("from"), path + ".from");
        // null when the stream is unknown or has errors of its own: then skip the checks that need its fields
        StreamDef stream = from == null ? null : streams.get(from);
        List<String> groupBy = groupBy(node.get("group_by"), path + ".group_by", stream);
        long granularityMs = granularity(node.get("granularity"), path + ".granularity");
        String where = where(node.get("where"), path + ".where", stream);
        Map<String, MeasureDef> measures = measures(node.get("measures"), path + ".measures", stream, groupBy);
        Needs needs = needs(node.get("needs"), path + ".needs");
        ViewDef view = new ViewDef(name, from, groupBy, granularityMs, where, measures, needs);
        return new ViewDef(name, from, groupBy, granularityMs, where, measures, needs,
                results(node.get("results"), path + ".results", view));
    }

    /**
     * The computed results ({@code NAME: "CEL over the measures"}), each checked over the view's measures, or
     * only for its shape when a measure has errors (which would cascade).
     */
    private Map<String, String> results(JsonNode node, String path, ViewDef view) {
        Map<String, String> results = new LinkedHashMap<>();
        if (isAbsent(node)) {
            return results;
        }
        if (!node.isObject()) {
            error(path, "expected a mapping of result name to a CEL expression over the measures, like "
                    + "{vwap: \"notional / volume\"}, got " + describe(node));
            return results;
        }
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            String name = e.getKey();
            String resultPath = path + "." + name;
            checkName(resultPath, name);
            if (RESERVED_COLUMNS.contains(name)) {
                error(resultPath, reserved(name));
            } else if (view.measures().containsKey(name) || view.groupBy().contains(name)) {
                error(resultPath, "'" + name + "' is also a " + (view.groupBy().contains(name) ? "group_by field"
                        : "measure") + ": give the result another name");
            }
            String expression = text(e.getValue(), resultPath, "a CEL expression over the measures, like "
                    + "\"notional / volume\"");
            if (expression == null) {
                continue;
            }
            results.put(name, expression);
            try {
                ViewResults.type(expression, view);
            } catch (IllegalArgumentException invalid) {
                error(resultPath, invalid.getMessage() + " (measures: " + String.join(", ",
                        view.measures().keySet()) + ")");
            }
        }
        return results;
    }

    private String from(JsonNode node, String path) {
        if (isAbsent(node)) {
            error(path, "missing (the stream this view reads)");
            return null;
        }
        String from = text(node, path, "a stream name");
        if (from != null && !streamNames.contains(from)) {
            String known = streamNames.isEmpty()
                    ? "no streams are declared"
                    : "streams: " + String.join(", ", streamNames);
            error(path, "unknown stream '" + from + "' (" + known + ")");
            return null;
        }
        return from;
    }

    private List<String> groupBy(JsonNode node, String path, StreamDef stream) {
        List<String> groupBy = new ArrayList<>();
        if (isAbsent(node)) {
            return groupBy;
        }
        if (!node.isArray()) {
            error(path, "expected a list of field names like [symbol], got " + describe(node));
            return groupBy;
        }
        for (int i = 0; i < node.size(); i++) {
            String itemPath = path + "[" + i + "]";
            String field = text(node.get(i), itemPath, "a field name");
            if (field == null) {
                continue;
            }
            if (RESERVED_COLUMNS.contains(field)) {
                error(itemPath, reserved(field));
            } else if (groupBy.contains(field)) {
                error(itemPath, "field '" + field + "' is listed twice");
            } else if (stream != null && stream.derived(field) != null) {
                error(itemPath, "'" + field + "' is a derived field: group by declared fields only");
            } else if (stream != null && stream.indexOf(field) < 0) {
                error(itemPath, unknownField(field, stream));
            }
            groupBy.add(field);
        }
        return groupBy;
    }

    private long granularity(JsonNode node, String path) {
        if (isAbsent(node)) {
            error(path, "missing (a duration from 1s to 1d that divides 1d evenly, like 1m)");
            return 0;
        }
        long ms = duration(node, path);
        if (ms < 0) {
            return ms;
        }
        if (ms < SECOND_MS || ms > DAY_MS) {
            error(path, "must be between 1s and 1d, got " + node.asText());
        } else if (DAY_MS % ms != 0) {
            error(path, "must divide 1d evenly (like 1s, 5s, 1m, 5m, 15m or 1h), got " + node.asText());
        }
        return ms;
    }

    private String where(JsonNode node, String path, StreamDef stream) {
        if (isAbsent(node)) {
            return null;
        }
        String where = text(node, path, "a CEL condition like \"qty > 0\"");
        if (where == null) {
            return null;
        }
        if (where.isBlank()) {
            error(path, "expected a CEL condition like \"qty > 0\", got \"" + where + "\"");
        } else if (stream != null) {
            try {
                Expressions.predicate(where, stream);
            } catch (IllegalArgumentException e) {
                error(path, e.getMessage());
            }
        }
        return where;
    }

    private Map<String, MeasureDef> measures(JsonNode node, String path, StreamDef stream, List<String> groupBy) {
        Map<String, MeasureDef> measures = new LinkedHashMap<>();
        if (isAbsent(node)) {
            error(path, "missing (at least one measure, like \"n: count\")");
        } else if (!node.isObject()) {
            error(path, "expected a mapping of measure name to measure, got " + describe(node));
        } else if (node.isEmpty()) {
            error(path, "expected at least one measure, like \"n: count\"");
        } else {
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                MeasureDef measure = measure(e.getKey(), e.getValue(), path + "." + e.getKey(), stream, groupBy);
                if (measure != null) {
                    measures.put(measure.name(), measure);
                }
            }
        }
        return measures;
    }

    private static String reserved(String name) {
        return "'" + name + "' is reserved: query rows use it for the " + (name.equals("bucket")
                ? "bucket start" : "path that answered") + "; use another name";
    }

    private MeasureDef measure(String name, JsonNode node, String path, StreamDef stream, List<String> groupBy) {
        checkName(path, name);
        if (RESERVED_COLUMNS.contains(name)) {
            error(path, reserved(name));
        } else if (groupBy.contains(name)) {
            error(path, "'" + name + "' is also a group_by field: give the measure another name");
        }
        String text = text(node, path, "a measure like count or sum(qty)");
        if (text == null) {
            return null;
        }
        MeasureDef measure;
        try {
            measure = MeasureText.parse(name, text);
        } catch (IllegalArgumentException e) {
            error(path, e.getMessage());
            return null;
        }
        if (stream == null) {
            return measure;
        }
        if (measure.field() != null && stream.typeOf(measure.field()) == null) {
            error(path, unknownField(measure.field(), stream));
            return measure;
        }
        try {
            Measures.compile(measure, stream);
        } catch (IllegalArgumentException e) {
            error(path, e.getMessage());
        }
        return measure;
    }

    // ---- batch and reports -----------------------------------------------------------------------------------

    private int batch(JsonNode node) {
        if (isAbsent(node)) {
            return TandemConfig.DEFAULT_BATCH_EVERY;
        }
        if (!node.isObject()) {
            error("batch", "expected a mapping like {every: 1}, got " + describe(node));
            return TandemConfig.DEFAULT_BATCH_EVERY;
        }
        JsonNode every = node.get("every");
        if (isAbsent(every)) {
            return TandemConfig.DEFAULT_BATCH_EVERY;
        }
        if (!every.canConvertToInt() || !every.isIntegralNumber() || every.asInt() < 1) {
            error("batch.every", "expected a whole number of sealed epochs, at least 1, got " + describe(every));
            return TandemConfig.DEFAULT_BATCH_EVERY;
        }
        return every.asInt();
    }

    // ---- what the parts run on -------------------------------------------------------------------------------

    private DeploymentDef deployment(JsonNode root) {
        DeploymentDef embedded = DeploymentDef.embedded();
        return new DeploymentDef(component(root.get("log"), ConfigKeys.LOG, embedded.log()),
                component(root.get("store"), ConfigKeys.STORE, embedded.store()),
                component(root.get("batch"), ConfigKeys.BATCH, embedded.batch()));
    }

    /**
     * One part's kind and settings from its section: the section's kind key names the kind, and its keys that every
     * kind takes ({@code batch.every}) are not the kind's settings.
     */
    private ComponentDef component(JsonNode node, ConfigSection section, ComponentDef fallback) {
        String path = section.path();
        String kindKey = section.kindKey();
        List<String> others = section.commonNames();
        String known = String.join(", ", section.kinds().stream().sorted().toList());
        if (isAbsent(node) || !node.isObject()) {
            if (!isAbsent(node) && others.isEmpty()) {
                error(path, "expected a mapping like {" + kindKey + ": " + fallback.kind() + "}, got "
                        + describe(node));
            }
            return fallback;
        }
        String kind = fallback.kind();
        JsonNode k = node.get(kindKey);
        if (!isAbsent(k)) {
            String text = text(k, path + "." + kindKey, "one of " + known);
            if (text != null && !section.kinds().contains(text)) {
                error(path + "." + kindKey, "unknown " + kindKey + " '" + text + "' (expected " + known + ")");
            } else if (text != null) {
                kind = text;
            }
        }
        List<String> allowed = section.names(kind);
        checkKeys(node, path, allowed);
        Map<String, String> settings = new LinkedHashMap<>();
        for (String key : allowed.stream().filter(key -> !key.equals(kindKey) && !others.contains(key)).toList()) {
            JsonNode v = node.get(key);
            if (!isAbsent(v)) {
                String text = text(v, path + "." + key, "a value");
                String problem = text == null ? null : DeploymentDef.problem(path, key, text);
                if (problem != null) {
                    error(path + "." + key, problem);
                } else if (text != null) {
                    settings.put(key, text);
                }
            }
        }
        return new ComponentDef(kind, settings);
    }

    private Map<String, ReportDef> reports(JsonNode node) {
        Map<String, ReportDef> reports = new LinkedHashMap<>();
        if (isAbsent(node)) {
            return reports;
        }
        if (!node.isObject()) {
            error("reports", "expected a mapping of report name to report, got " + describe(node));
            return reports;
        }
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            ReportDef report = report(e.getKey(), e.getValue());
            if (report != null) {
                reports.put(report.name(), report);
            }
        }
        return reports;
    }

    private ReportDef report(String name, JsonNode node) {
        String path = "reports." + name;
        checkName(path, name);
        if (!node.isObject()) {
            error(path, "expected a mapping with " + String.join(", ", ConfigKeys.REPORT.names()) + ", got "
                    + describe(node));
            return null;
        }
        checkKeys(node, path, ConfigKeys.REPORT.names());
        String sql = reportSql(node.get("sql"), path + ".sql");
        String schedule = schedule(node.get("schedule"), path + ".schedule");
        String format = reportFormat(node.get("format"), path + ".format");
        Needs needs = needs(node.get("needs"), path + ".needs");
        return new ReportDef(name, sql, schedule, format, needs);
    }

    private String reportSql(JsonNode node, String path) {
        String example = "a SELECT over the lake filtered on {{period_start}} and {{period_end}}";
        if (isAbsent(node)) {
            error(path, "missing (" + example + ")");
            return null;
        }
        String sql = text(node, path, example);
        if (sql == null) {
            return null;
        }
        List<String> missing = PLACEHOLDERS.stream().filter(p -> !sql.contains(p)).toList();
        if (!missing.isEmpty()) {
            error(path, "missing " + String.join(" and ", missing) + " (the SQL must select the rows of one period, "
                    + "e.g. WHERE ts >= {{period_start}} AND ts < {{period_end}})");
        }
        return sql;
    }

    private String schedule(JsonNode node, String path) {
        if (isAbsent(node)) {
            error(path, "missing (" + SCHEDULES + ", in UTC)");
            return null;
        }
        String schedule = text(node, path, SCHEDULES);
        if (schedule == null) {
            return null;
        }
        Matcher daily = DAILY.matcher(schedule);
        if (daily.matches()) {
            if (Integer.parseInt(daily.group(1)) > 23 || Integer.parseInt(daily.group(2)) > 59) {
                error(path, "the time of day must be 00:00 to 23:59, got " + describe(node));
            }
        } else if (!List.of("hourly", "weekly", "monthly").contains(schedule)) {
            error(path, "expected " + SCHEDULES + ", got " + describe(node));
        }
        return schedule;
    }

    private String reportFormat(JsonNode node, String path) {
        String expected = String.join(", ", REPORT_FORMATS.subList(0, 2)) + " or " + REPORT_FORMATS.get(2);
        if (isAbsent(node)) {
            error(path, "missing (" + expected + ")");
            return null;
        }
        String format = text(node, path, expected);
        if (format != null && !REPORT_FORMATS.contains(format)) {
            error(path, "expected " + expected + ", got " + describe(node));
        }
        return format;
    }

    // ---- alerts ----------------------------------------------------------------------------------------------

    private Map<String, AlertDef> alerts(JsonNode node, Map<String, ViewDef> views) {
        Map<String, AlertDef> alerts = new LinkedHashMap<>();
        if (isAbsent(node)) {
            return alerts;
        }
        if (!node.isObject()) {
            error("alerts", "expected a mapping of rule name to rule, got " + describe(node));
            return alerts;
        }
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            AlertDef alert = alert(e.getKey(), e.getValue(), views);
            if (alert != null) {
                alerts.put(alert.name(), alert);
            }
        }
        return alerts;
    }

    private AlertDef alert(String name, JsonNode node, Map<String, ViewDef> views) {
        String path = "alerts." + name;
        checkName(path, name);
        if (!node.isObject()) {
            error(path, "expected a mapping with " + String.join(", ", ConfigKeys.ALERT.names()) + ", got "
                    + describe(node));
            return null;
        }
        checkKeys(node, path, ConfigKeys.ALERT.names());
        boolean hasView = !isAbsent(node.get("view"));
        boolean hasStream = !isAbsent(node.get("stream"));
        if (hasView == hasStream) {
            error(path, hasView ? "give either view or stream, not both"
                    : "missing view or stream (view: NAME for rules on buckets, stream: NAME for on: event)");
            return null;
        }
        String viewName = hasView ? alertTarget(node.get("view"), path + ".view", viewNames, "view") : null;
        String streamName = hasStream ? alertTarget(node.get("stream"), path + ".stream", streamNames, "stream") : null;
        AlertDef.Trigger on = trigger(node.get("on"), path + ".on", hasView);
        // null when the target is unknown or has errors of its own: then skip the checks that need it
        ViewDef view = viewName == null || badViews.contains(viewName) ? null : views.get(viewName);
        StreamDef stream = streamName == null ? null : streams.get(streamName);
        List<String> forEach = forEach(node.get("for_each"), path + ".for_each", hasView, view, stream);
        String condition = alertCondition(node.get("condition"), path + ".condition");
        int prev = 0;
        if (hasView) {
            OptionalInt depth = view == null || condition == null ? OptionalInt.of(0)
                    : bucketCondition(condition, path + ".condition", view);
            prev = prev(node.get("prev"), path + ".prev", depth);
        } else {
            if (!isAbsent(node.get("prev"))) {
                error(path + ".prev", "only rules on a view read previous buckets (this rule reads stream '"
                        + streamName + "')");
            }
            if (stream != null && condition != null) {
                try {
                    Expressions.predicate(condition, stream);
                } catch (IllegalArgumentException e) {
                    error(path + ".condition", e.getMessage());
                }
            }
        }
        String webhook = webhook(node.get("webhook"), path + ".webhook");
        Needs needs = needs(node.get("needs"), path + ".needs");
        return new AlertDef(name, viewName, streamName, forEach, on, condition, prev, webhook, needs);
    }

    private String alertTarget(JsonNode node, String path, List<String> known, String kind) {
        String name = text(node, path, "a " + kind + " name");
        if (name != null && !known.contains(name)) {
            String list = known.isEmpty() ? "no " + kind + "s are declared" : kind + "s: " + String.join(", ", known);
            error(path, "unknown " + kind + " '" + name + "' (" + list + ")");
            return null;
        }
        return name;
    }

    private AlertDef.Trigger trigger(JsonNode node, String path, boolean onView) {
        String expected = onView ? "update or close (for a rule on a view)" : "event (for a rule on a stream)";
        if (isAbsent(node)) {
            error(path, "missing (" + expected + ")");
            return null;
        }
        String text = text(node, path, expected);
        if (text == null) {
            return null;
        }
        for (AlertDef.Trigger t : AlertDef.Trigger.values()) {
            if (t.configName().equals(text)) {
                if ((t == AlertDef.Trigger.EVENT) == onView) {
                    error(path, onView
                            ? "on: event needs stream: instead of view: (a view rule checks buckets: update or close)"
                            : "on: " + text + " needs view: instead of stream: (a stream rule checks each event: "
                                    + "event)");
                }
                return t;
            }
        }
        error(path, "expected event, update or close, got " + describe(node));
        return null;
    }

    private List<String> forEach(JsonNode node, String path, boolean onView, ViewDef view, StreamDef stream) {
        List<String> fields = new ArrayList<>();
        if (isAbsent(node)) {
            return view == null ? fields : view.groupBy();
        }
        if (!node.isArray()) {
            error(path, "expected a list of field names like [symbol], got " + describe(node));
            return fields;
        }
        for (int i = 0; i < node.size(); i++) {
            String itemPath = path + "[" + i + "]";
            String field = text(node.get(i), itemPath, "a field name");
            if (field == null) {
                continue;
            }
            if (fields.contains(field)) {
                error(itemPath, "field '" + field + "' is listed twice");
            } else if (view != null && !view.groupBy().contains(field)) {
                error(itemPath, "'" + field + "' is not a group_by field of view '" + view.name() + "' (group_by: "
                        + String.join(", ", view.groupBy()) + ")");
            } else if (!onView && stream != null && stream.indexOf(field) < 0) {
                error(itemPath, unknownField(field, stream));
            }
            fields.add(field);
        }
        if (view != null && new HashSet<>(view.groupBy()).equals(new HashSet<>(fields))) {
            return view.groupBy();
        }
        if (view != null && view.groupBy().containsAll(fields)) {
            error(path, "must list every group_by field of view '" + view.name() + "' (" + String.join(", ",
                    view.groupBy()) + ") or be left out: an alert is about one group of the view");
        }
        return fields;
    }

    private String alertCondition(JsonNode node, String path) {
        String example = "a CEL condition like \"(close - open) / open > 0.02\"";
        if (isAbsent(node)) {
            error(path, "missing (" + example + ")");
            return null;
        }
        String condition = text(node, path, example);
        if (condition != null && condition.isBlank()) {
            error(path, "expected " + example + ", got \"" + condition + "\"");
            return null;
        }
        return condition;
    }

    /** Compiles a bucket condition; the depth of prev it reads, or 0 after recording an error. */
    private OptionalInt bucketCondition(String condition, String path, ViewDef view) {
        try {
            return CelCondition.overBuckets(condition, ViewResults.rowTypes(view)).prevDepth();
        } catch (IllegalArgumentException e) {
            error(path, e.getMessage() + " (variables: " + String.join(", ", ViewResults.rowTypes(view).keySet())
                    + ", prev)");
            return OptionalInt.of(0);
        }
    }

    private int prev(JsonNode node, String path, OptionalInt depth) {
        if (isAbsent(node)) {
            if (depth.isEmpty()) {
                error(path, "missing: the condition reads prev as a list, so say how many previous buckets it holds, "
                        + "like prev: 30");
                return 0;
            }
            return depth.getAsInt();
        }
        if (!node.isIntegralNumber() || !node.canConvertToInt() || node.asInt() < 1 || node.asInt() > MAX_PREV) {
            error(path, "expected a whole number of previous buckets from 1 to " + MAX_PREV + ", got "
                    + describe(node));
            return 0;
        }
        if (depth.isPresent() && depth.getAsInt() > node.asInt()) {
            error(path, "the condition reads prev[" + (depth.getAsInt() - 1) + "], beyond the " + node.asInt()
                    + " previous buckets declared");
        }
        return node.asInt();
    }

    private String webhook(JsonNode node, String path) {
        if (isAbsent(node)) {
            return null;
        }
        String url = text(node, path, "an http:// or https:// URL");
        if (url == null) {
            return null;
        }
        try {
            URI uri = new URI(url);
            if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null) {
                return url;
            }
        } catch (URISyntaxException e) {
            error(path, "invalid URL: " + e.getMessage());
            return null;
        }
        error(path, "expected an http:// or https:// URL with a host, got " + describe(node));
        return null;
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    // ---- analyses, indexes, query cache ------------------------------------------------------------------------

    private Map<String, AnalysisDef> analyses(JsonNode node, Map<String, ViewDef> views) {
        Map<String, AnalysisDef> analyses = new LinkedHashMap<>();
        if (isAbsent(node)) {
            return analyses;
        }
        if (!node.isObject()) {
            error("analyses", "expected a mapping of analysis name to analysis, got " + describe(node));
            return analyses;
        }
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            AnalysisDef analysis = analysis(e.getKey(), e.getValue(), views);
            if (analysis != null) {
                analyses.put(analysis.name(), analysis);
            }
        }
        return analyses;
    }

    private AnalysisDef analysis(String name, JsonNode node, Map<String, ViewDef> views) {
        String path = "analyses." + name;
        checkName(path, name);
        if (!node.isObject()) {
            error(path, "expected a mapping with " + String.join(", ", ConfigKeys.ANALYSIS.names()) + ", got "
                    + describe(node));
            return null;
        }
        checkKeys(node, path, ConfigKeys.ANALYSIS.names());
        if (isAbsent(node.get("view"))) {
            error(path + ".view", "missing (the view whose buckets are scored)");
            return null;
        }
        String viewName = alertTarget(node.get("view"), path + ".view", viewNames, "view");
        ViewDef view = viewName == null || badViews.contains(viewName) ? null : views.get(viewName);
        String measure = null;
        if (isAbsent(node.get("measure"))) {
            error(path + ".measure", "missing (the measure of the view that is scored)");
        } else {
            measure = text(node.get("measure"), path + ".measure", "a measure name");
            if (measure != null && view != null && !view.measures().containsKey(measure)) {
                error(path + ".measure", "unknown measure '" + measure + "' in view '" + viewName + "' (measures: "
                        + String.join(", ", view.measures().keySet()) + ")");
            }
        }
        List<String> forEach = view == null ? List.of() : view.groupBy();
        JsonNode forEachNode = node.get("for_each");
        if (!isAbsent(forEachNode)) {
            forEach = analysisForEach(forEachNode, path + ".for_each", view);
            String function = view == null || measure == null || !view.measures().containsKey(measure) ? null
                    : view.measures().get(measure).function();
            if (function != null && !function.equals("count") && !function.equals("sum")
                    && !forEach.containsAll(view.groupBy())) {
                error(path + ".for_each", forEach + " leaves out dimensions of view '" + viewName + "', which only "
                        + "a count or sum can add up; measure '" + measure + "' is " + function);
            }
        }
        Needs needs = needs(node.get("needs"), path + ".needs");
        return viewName == null ? null : new AnalysisDef(name, viewName, measure, forEach, needs);
    }

    private List<String> analysisForEach(JsonNode node, String path, ViewDef view) {
        List<String> forEach = new ArrayList<>();
        if (!node.isArray()) {
            error(path, "expected a list of the view's group_by fields like [symbol], got " + describe(node));
            return forEach;
        }
        for (int i = 0; i < node.size(); i++) {
            String itemPath = path + "[" + i + "]";
            String field = text(node.get(i), itemPath, "a field name");
            if (field == null) {
                continue;
            }
            if (forEach.contains(field)) {
                error(itemPath, "field '" + field + "' is listed twice");
            } else if (view != null && !view.groupBy().contains(field)) {
                error(itemPath, "'" + field + "' is not a group_by field of view '" + view.name() + "' (group_by: "
                        + String.join(", ", view.groupBy()) + ")");
            }
            forEach.add(field);
        }
        if (view != null) {
            forEach.sort(Comparator.comparingInt(f -> view.groupBy().indexOf(f)));
        }
        return forEach;
    }

    private Map<String, IndexDef> indexes(JsonNode node) {
        Map<String, IndexDef> indexes = new LinkedHashMap<>();
        if (isAbsent(node)) {
            return indexes;
        }
        if (!node.isObject()) {
            error("indexes", "expected a mapping of index name to index, got " + describe(node));
            return indexes;
        }
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            IndexDef index = index(e.getKey(), e.getValue());
            if (index != null) {
                indexes.put(index.name(), index);
            }
        }
        return indexes;
    }

    private IndexDef index(String name, JsonNode node) {
        String path = "indexes." + name;
        checkName(path, name);
        if (!node.isObject()) {
            error(path, "expected a mapping with " + String.join(", ", ConfigKeys.INDEX.names()) + ", got "
                    + describe(node));
            return null;
        }
        checkKeys(node, path, ConfigKeys.INDEX.names());
        if (isAbsent(node.get("stream"))) {
            error(path + ".stream", "missing (the stream whose events are indexed)");
            return null;
        }
        String streamName = alertTarget(node.get("stream"), path + ".stream", streamNames, "stream");
        StreamDef stream = streamName == null ? null : streams.get(streamName);
        List<String> fields = new ArrayList<>();
        JsonNode fieldsNode = node.get("fields");
        if (isAbsent(fieldsNode) || !fieldsNode.isArray() || fieldsNode.isEmpty()) {
            error(path + ".fields", "expected a non-empty list of the stream's string fields like [headline], got "
                    + (fieldsNode == null ? "nothing" : describe(fieldsNode)));
        } else {
            for (int i = 0; i < fieldsNode.size(); i++) {
                String itemPath = path + ".fields[" + i + "]";
                String field = text(fieldsNode.get(i), itemPath, "a field name");
                if (field == null) {
                    continue;
                }
                if (fields.contains(field)) {
                    error(itemPath, "field '" + field + "' is listed twice");
                } else if (stream != null && stream.indexOf(field) < 0) {
                    error(itemPath, unknownField(field, stream));
                } else if (stream != null && stream.field(stream.indexOf(field)).type() != FieldType.STRING) {
                    error(itemPath, "field '" + field + "' is " + stream.field(stream.indexOf(field)).type()
                            .name().toLowerCase(Locale.ROOT) + ", not string (only string fields are searched)");
                }
                fields.add(field);
            }
        }
        Needs needs = needs(node.get("needs"), path + ".needs");
        return streamName == null ? null : new IndexDef(name, streamName, fields, needs);
    }

    private QueryCacheDef queryCache(JsonNode node) {
        if (isAbsent(node)) {
            return QueryCacheDef.DEFAULT;
        }
        String path = "query_cache";
        if (!node.isObject()) {
            error(path, "expected a mapping with " + String.join(", ", ConfigKeys.QUERY_CACHE.names()) + ", got "
                    + describe(node));
            return QueryCacheDef.DEFAULT;
        }
        checkKeys(node, path, ConfigKeys.QUERY_CACHE.names());
        Boolean enabled = bool(node.get("enabled"), path + ".enabled");
        long maxBytes = isAbsent(node.get("max_bytes")) ? QueryCacheDef.DEFAULT_MAX_BYTES
                : bytes(node.get("max_bytes"), path + ".max_bytes");
        int warm = QueryCacheDef.DEFAULT_WARM;
        JsonNode warmNode = node.get("warm");
        if (!isAbsent(warmNode)) {
            if (!warmNode.canConvertToInt() || !warmNode.isIntegralNumber() || warmNode.asInt() < 0
                    || warmNode.asInt() > 10_000) {
                error(path + ".warm", "expected a whole number from 0 to 10000, got " + describe(warmNode));
            } else {
                warm = warmNode.asInt();
            }
        }
        Needs needs = needs(node.get("needs"), path + ".needs");
        return new QueryCacheDef(enabled == null || enabled, maxBytes, warm, needs);
    }

    private DuckDbDef duckdb(JsonNode node) {
        DuckDbDef defaults = DuckDbDef.defaults();
        if (isAbsent(node)) {
            return defaults;
        }
        String path = "duckdb";
        if (!node.isObject()) {
            error(path, "expected a mapping like {memory_limit: 1GiB, threads: 2}, got " + describe(node));
            return defaults;
        }
        checkKeys(node, path, ConfigKeys.DUCKDB.names());
        long limit = defaults.memoryLimitBytes();
        if (!isAbsent(node.get("memory_limit"))) {
            limit = bytes(node.get("memory_limit"), path + ".memory_limit");
            if (limit >= 0 && limit < 64L << 20) {
                error(path + ".memory_limit", "must be at least 64MiB, got " + describe(node.get("memory_limit")));
            }
        }
        int threads = defaults.threads();
        JsonNode t = node.get("threads");
        if (!isAbsent(t)) {
            if (!t.canConvertToInt() || !t.isIntegralNumber() || t.asInt() < 1 || t.asInt() > DuckDbDef.MAX_THREADS) {
                error(path + ".threads", "expected a whole number from 1 to " + DuckDbDef.MAX_THREADS + ", got "
                        + describe(t));
            } else {
                threads = t.asInt();
            }
        }
        return new DuckDbDef(limit, threads);
    }

    private SecurityDef security(JsonNode node) {
        String path = "security";
        if (isAbsent(node)) {
            return SecurityDef.NONE;
        }
        if (!node.isObject()) {
            error(path, "expected a mapping like {tokens_file: tokens.jsonl}, got " + describe(node));
            return SecurityDef.NONE;
        }
        checkKeys(node, path, ConfigKeys.SECURITY.names());
        Path tokens = isAbsent(node.get("tokens_file")) ? null : file(node.get("tokens_file"), path + ".tokens_file");
        SecurityDef.Tls tls = null;
        JsonNode t = node.get("tls");
        if (!isAbsent(t)) {
            if (!t.isObject()) {
                error(path + ".tls", "expected a mapping like {cert_file: cert.pem, key_file: key.pem}, got "
                        + describe(t));
            } else {
                checkKeys(t, path + ".tls", ConfigKeys.TLS.names());
                Path cert = required(t, path + ".tls", "cert_file");
                Path key = required(t, path + ".tls", "key_file");
                tls = cert == null || key == null ? null : new SecurityDef.Tls(cert, key);
            }
        }
        return new SecurityDef(tokens, tls, rateLimit(node.get("rate_limit"), path + ".rate_limit"));
    }

    private Path required(JsonNode node, String path, String key) {
        if (isAbsent(node.get(key))) {
            error(path + "." + key, "missing (a PEM file)");
            return null;
        }
        return file(node.get(key), path + "." + key);
    }

    /** A file name, relative to the config file's folder unless absolute; null after recording an error. */
    private Path file(JsonNode node, String path) {
        String text = text(node, path, "a file name");
        if (text == null) {
            return null;
        }
        if (text.isBlank() || text.indexOf('\0') >= 0) {
            error(path, "expected a file name, got " + describe(node));
            return null;
        }
        return baseDir.resolve(text).normalize();
    }

    private SecurityDef.RateLimit rateLimit(JsonNode node, String path) {
        if (isAbsent(node)) {
            return null;
        }
        if (!node.isObject()) {
            error(path, "expected a mapping like {requests_per_second: 50, burst: 100}, got " + describe(node));
            return null;
        }
        checkKeys(node, path, ConfigKeys.RATE_LIMIT.names());
        JsonNode r = node.get("requests_per_second");
        if (isAbsent(r) || !r.isNumber() || !(r.asDouble() >= 0.01) || r.asDouble() > 1e6) {
            error(path + ".requests_per_second", "expected a number from 0.01 to 1000000, got "
                    + (isAbsent(r) ? "nothing" : describe(r)));
            return null;
        }
        JsonNode b = node.get("burst");
        long burst = Math.max(1, (long) Math.ceil(r.asDouble()));
        if (!isAbsent(b)) {
            if (!b.isIntegralNumber() || !b.canConvertToLong() || b.asLong() < 1 || b.asLong() > 10_000_000) {
                error(path + ".burst", "expected a whole number from 1 to 10000000, got " + describe(b));
                return null;
            }
            burst = b.asLong();
        }
        return new SecurityDef.RateLimit(r.asDouble(), burst);
    }

    /** A byte size: a whole number, optionally with B, KB, KiB, MB, MiB, GB or GiB; -1 after recording an error. */
    private long bytes(JsonNode node, String path) {
        String text = text(node, path, "a size like 64MiB");
        Matcher m = text == null ? null : BYTES.matcher(text.trim());
        if (m == null || !m.matches()) {
            if (text != null) {
                error(path, "expected a size like 65536, 512KiB, 64MiB or 1GiB, got " + describe(node));
            }
            return -1;
        }
        String unit = m.group(2) == null ? "B" : m.group(2);
        long scale = switch (unit) {
            case "KB" -> 1_000L;
            case "KiB" -> 1L << 10;
            case "MB" -> 1_000_000L;
            case "MiB" -> 1L << 20;
            case "GB" -> 1_000_000_000L;
            case "GiB" -> 1L << 30;
            default -> 1L;
        };
        try {
            long value = Math.multiplyExact(Long.parseLong(m.group(1)), scale);
            if (value < 1L << 10 || value > 1L << 40) {
                error(path, "must be from 1KiB to 1TiB, got " + describe(node));
                return -1;
            }
            return value;
        } catch (ArithmeticException | NumberFormatException e) {
            error(path, "must be from 1KiB to 1TiB, got " + describe(node));
            return -1;
        }
    }

    // ---- needs ------------------------------------------------------------------------------------------------

    private Needs needs(JsonNode node, String path) {
        if (isAbsent(node)) {
            return Needs.NONE;
        }
        if (!node.isObject()) {
            error(path, "expected a mapping with " + String.join(", ", ConfigKeys.NEEDS.names()) + ", got "
                    + describe(node));
            return Needs.NONE;
        }
        checkKeys(node, path, ConfigKeys.NEEDS.names());
        Boolean userWaiting = bool(node.get("user_waiting"), path + ".user_waiting");
        Boolean trigger = bool(node.get("trigger"), path + ".trigger");
        Boolean sessionBound = bool(node.get("session_bound"), path + ".session_bound");
        Long freshness = optionalDuration(node.get("freshness"), path + ".freshness");
        Long staleness = optionalDuration(node.get("staleness"), path + ".staleness");
        Needs.Volume volume = volume(node.get("volume"), path + ".volume");
        Boolean complex = bool(node.get("complex"), path + ".complex");
        return new Needs(userWaiting, trigger, sessionBound, freshness, staleness, volume, complex);
    }

    private Boolean bool(JsonNode node, String path) {
        if (isAbsent(node)) {
            return null;
        }
        if (!node.isBoolean()) {
            error(path, "expected true or false, got " + describe(node));
            return null;
        }
        return node.booleanValue();
    }

    private Long optionalDuration(JsonNode node, String path) {
        if (isAbsent(node)) {
            return null;
        }
        long ms = duration(node, path);
        return ms < 0 ? null : ms;
    }

    private Needs.Volume volume(JsonNode node, String path) {
        if (isAbsent(node)) {
            return null;
        }
        if (node.isTextual() && node.asText().equals("auto")) {
            return Needs.Volume.AUTO;
        }
        if (!node.isIntegralNumber() || !node.canConvertToLong() || node.asLong() < 0) {
            error(path, "expected records per day (a whole number like 50000) or auto, got " + describe(node));
            return null;
        }
        return Needs.Volume.perDay(node.asLong());
    }

    private void error(String path, String message) {
        errors.add(path + ": " + message);
    }

    private static boolean isAbsent(JsonNode node) {
        return node == null || node.isMissingNode() || node.isNull();
    }

    private void checkKeys(JsonNode node, String path, List<String> allowed) {
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            String key = e.getKey();
            if (!allowed.contains(key)) {
                String keyPath = path.isEmpty() ? key : path + "." + key;
                String near = nearest(key, allowed);
                error(keyPath, "unknown key (expected " + String.join(", ", allowed) + ")"
                        + (near == null ? "" : "; did you mean `" + near + "`?"));
            }
        }
    }

    private void checkName(String path, String name) {
        if (!isName(name)) {
            error(path, "invalid name '" + name + "' (a name must match [A-Za-z_][A-Za-z0-9_]*)");
        }
    }

    /** A scalar's text, or null after recording an error when the node is a mapping, a list or null. */
    /**
     * The allowed key a misspelt one most likely meant: the same but for case, or the nearest within 1 edit (keys
     * of up to 4 letters) or 2 edits (longer ones); null when none is that near.
     */
    static String nearest(String key, List<String> allowed) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String a : allowed) {
            if (a.equalsIgnoreCase(key)) {
                return a;
            }
            int d = LevenshteinDistance.getDefaultInstance().apply(key.toLowerCase(Locale.ROOT), a);
            if (d < bestDistance) {
                best = a;
                bestDistance = d;
            }
        }
        return bestDistance <= (Math.min(key.length(), best == null ? 0 : best.length()) <= 4 ? 1 : 2) ? best : null;
    }

    private String text(JsonNode node, String path, String expected) {
        if (!node.isValueNode() || node.isNull()) {
            error(path, "expected " + expected + ", got " + describe(node));
            return null;
        }
        return node.asText();
    }

    /** The duration in milliseconds, or -1 after recording an error. */
    private long duration(JsonNode node, String path) {
        String text = text(node, path, "a duration like 500ms, 5s, 1m, 1h or 1d");
        if (text == null) {
            return -1;
        }
        try {
            return Durations.parse(text);
        } catch (IllegalArgumentException e) {
            error(path, e.getMessage());
        }
        return -1;
    }

    /** The timestamp in epoch milliseconds, or 0 after recording an error. */
    private long timestamp(JsonNode node, String path) {
        String text = text(node, path, "an ISO-8601 timestamp like 2000-01-01T00:00:00Z or epoch milliseconds");
        if (text == null) {
            return 0;
        }
        try {
            return Timestamps.parse(text);
        } catch (IllegalArgumentException e) {
            error(path, e.getMessage());
        }
        return 0;
    }

    private static String unknownField(String field, StreamDef stream) {
        return "unknown field '" + field + "' in stream '" + stream.name() + "' (fields: " + stream.fieldNames() + ")";
    }

    /** A value as the user wrote it: {@code "5x"}, {@code 42}, {@code true}, {@code nothing}, {@code a list}. */
    private static String describe(JsonNode node) {
        if (node.isObject()) {
            return "a mapping";
        }
        if (node.isArray()) {
            return "a list";
        }
        if (node.isNull()) {
            return "nothing";
        }
        return node.isTextual() ? "\"" + node.asText() + "\"" : node.asText();
    }

    private static String syntaxError(JsonProcessingException e) {
        if (e.getCause() instanceof MarkedYAMLException yaml && yaml.getProblemMark() != null) {
            String context = yaml.getContext() == null ? "" : " (" + yaml.getContext() + ")";
            return position(yaml.getProblemMark().getLine() + 1, yaml.getProblemMark().getColumn() + 1)
                    + yaml.getProblem() + context;
        }
        String message = e.getOriginalMessage();
        if (message != null && message.startsWith("Duplicate field ")) {
            message = "duplicate key " + message.substring("Duplicate field ".length());
        }
        return e.getLocation() == null
                ? "YAML syntax error: " + message
                : position(e.getLocation().getLineNr(), e.getLocation().getColumnNr()) + message;
    }

    private static String position(int line, int column) {
        return String.format(Locale.ROOT, "line %d, column %d: ", line, column);
    }

    static boolean isName(String s) {
        if (s.isEmpty() || !isNameStart(s.charAt(0))) {
            return false;
        }
        for (int i = 1; i < s.length(); i++) {
            if (!isNamePart(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    static boolean isNameStart(char c) {
        return c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    }

    static boolean isNamePart(char c) {
        return isNameStart(c) || (c >= '0' && c <= '9');
    }
}
