package io.tandem.spi.testkit;

import io.tandem.core.DerivedField;
import io.tandem.core.FieldDef;
import io.tandem.core.FieldType;
import io.tandem.core.GroupKey;
import io.tandem.core.Measure;
import io.tandem.core.MeasureDef;
import io.tandem.core.Row;
import io.tandem.core.StreamDef;
import io.tandem.core.UnknownFields;
import io.tandem.core.ViewDef;
import io.tandem.core.expr.Expressions;
import io.tandem.core.expr.FieldReader;
import io.tandem.core.measure.Measures;
import io.tandem.spi.batch.BatchEngine;
import io.tandem.spi.view.CompiledView;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What every {@link BatchEngine} must do: over random lake files (nulls, negative values, -0.0, long overflow,
 * events before 1970, ties in event and arrival time, arrival clocks that step back, several partitions and
 * epochs, conditions on views and measures, some outside the CEL subset that translates to SQL), its
 * accumulators equal a plain reference that feeds the same events to {@link CompiledView#add}: group for group,
 * and measure for measure byte for byte for count, integer sums, min, max, first and last (so also an empty
 * {@code where} gives {@code create()}); within 1e-9 of the scale of the values for double sums, means and
 * variances; within three standard errors for distinct. Quantiles are compared exactly: the test groups hold
 * fewer than k values, where KLL is exact. Merged with hot-path accumulators of the later epochs they equal the
 * reference over all events.
 */
public abstract class BatchEngineContract {

    /** Epoch length of the generated events. */
    protected static final long EPOCH_MS = 10_000;

    /**
     * The stream of the generated events: every field type; the time field {@code ts} is not declared; derived
     * fields of every type, some of them null where their arithmetic overflows, infinite or NaN.
     */
    public static final StreamDef STREAM = new StreamDef("trades", "ts", 0, List.of(
            new FieldDef("s", FieldType.STRING), new FieldDef("k", FieldType.LONG),
            new FieldDef("p", FieldType.DOUBLE), new FieldDef("q", FieldType.LONG),
            new FieldDef("t", FieldType.TIMESTAMP), new FieldDef("b", FieldType.BOOLEAN)), UnknownFields.IGNORE)
            .withDerived(List.of(
                    new DerivedField("pq", "p * double(q)", FieldType.DOUBLE),
                    new DerivedField("qk", "q * k + 1", FieldType.LONG),
                    new DerivedField("sx", "s + 'x'", FieldType.STRING),
                    new DerivedField("pos", "q > 0 || p > 0.0", FieldType.BOOLEAN),
                    new DerivedField("late", "t - ts", FieldType.LONG),
                    new DerivedField("ratio", "p / double(k)", FieldType.DOUBLE)));

    private static final long T0 = -90_000;
    private static final String[] STRINGS = {null, "a", "b", "ab", "", "é"};

    @TempDir
    protected Path lake;

    private BatchEngine engine;

    /** A new engine; closed after each test. */
    protected abstract BatchEngine createEngine() throws IOException;

    @BeforeEach
    void open() throws IOException {
        engine = createEngine();
    }

    @AfterEach
    void close() throws IOException {
        engine.close();
    }

    /** One group of a result. */
    private record Ref(GroupKey dims, long bucket, long epoch) {
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void when_eventsAreRandom_then_eachEpochsAccumulatorsEqualTheReference(long seed) throws IOException {
        List<LakeEvent> events = events(seed, 400);
        List<Path> files = LakeWriter.write(lake, STREAM, events);
        for (ViewDef def : views()) {
            CompiledView view = new CompiledView(def, STREAM);
            assertEquivalent(view, reference(view, events, true), batch(view, files, true));
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {4, 5})
    void when_groupsSpanEpochs_then_accumulatorsEqualTheReference(long seed) throws IOException {
        List<LakeEvent> events = events(seed, 400);
        List<Path> files = LakeWriter.write(lake, STREAM, events);
        for (ViewDef def : views()) {
            CompiledView view = new CompiledView(def, STREAM);
            assertEquivalent(view, reference(view, events, false), batch(view, files, false));
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {6, 7, 8})
    void when_batchCoversTheEarlyEpochs_then_mergedWithTheHotPathItEqualsTheReference(long seed) throws IOException {
        // the batch reads the epochs up to the boundary, the hot path holds the later ones
        List<LakeEvent> events = events(seed, 400);
        long boundary = events.get(events.size() / 2).epoch();
        List<LakeEvent> cold = events.stream().filter(e -> e.epoch() <= boundary).toList();
        List<LakeEvent> hot = events.stream().filter(e -> e.epoch() > boundary).toList();
        List<Path> files = LakeWriter.write(lake, STREAM, cold);
        for (ViewDef def : views()) {
            CompiledView view = new CompiledView(def, STREAM);
            Groups merged = batch(view, files, false);
            reference(view, hot, false).accumulators.forEach((ref, accs) -> merged.accumulators.merge(ref, accs,
                    view::merge));
            assertEquivalent(view, reference(view, events, false), merged);
        }
    }

    @Test
    void when_arrivalTimesSpanCenturies_then_firstAndLastAreStillExact() throws IOException {
        // arrival times too far apart to pack into one integer key: the engine must still order ties exactly
        List<LakeEvent> events = new ArrayList<>();
        long century = 3_155_760_000_000L;
        for (LakeEvent e : events(10, 300)) {
            long arrival = e.arrivalTime() + (e.offset() % 3 - 1) * century;
            events.add(new LakeEvent(e.values(), e.eventTime(), arrival, e.partition(), e.offset(),
                    Math.floorDiv(arrival, EPOCH_MS)));
        }
        List<Path> files = LakeWriter.write(lake, STREAM, events);
        CompiledView view = new CompiledView(views().get(0), STREAM);
        assertEquivalent(view, reference(view, events, false), batch(view, files, false));
        assertEquivalent(view, reference(view, events, true), batch(view, files, true));
    }

    @Test
    void when_thereAreNoFiles_then_nothingIsVisited() throws IOException {
        CompiledView view = new CompiledView(views().get(0), STREAM);
        engine.aggregate(view, List.of(), true, (dims, bucket, epoch, accs) -> {
            throw new AssertionError("visited " + dims);
        });
    }

    @Test
    void when_theViewFilterMatchesNothing_then_nothingIsVisited() throws IOException {
        List<Path> files = LakeWriter.write(lake, STREAM, events(9, 50));
        for (String where : List.of("s == 'none'", "s.matches('none')")) {
            ViewDef def = views().get(0);
            CompiledView view = new CompiledView(new ViewDef(def.name(), def.from(), def.groupBy(),
                    def.granularityMs(), where, def.measures()), STREAM);
            assertThat(batch(view, files, true).accumulators).as(where).isEmpty();
        }
    }

    /** The views under test: every measure, with and without conditions, dims of every type. */
    protected static List<ViewDef> views() {
        return List.of(
                view("every_measure", List.of("s"), 60_000, null,
                        "n: count", "nq: count(q)", "sq: sum(q)", "sp: sum(p)", "minq: min(q)", "maxq: max(q)",
                        "minp: min(p)", "maxp: max(p)", "firstp: first(p)", "lastp: last(p)", "firstq: first(q)",
                        "lastt: last(t)", "meanp: mean(p)", "meanq: mean(q)", "varp: variance(p)",
                        "varq: variance(q)", "ds: distinct(s)", "dq: distinct(q)", "dp: distinct(p)",
                        "db: distinct(b)", "dt: distinct(t)", "medp: quantile(p, 0.5)", "positive: count | q > 0",
                        "sq2: sum(q) | p < 0.0 || b", "firstp2: first(p) | !(q > 1)", "re: count | s.matches('^a')",
                        "maxp2: max(p) | size(s) > 1", "dq2: distinct(q) | q % 2 == 0",
                        "lastre: last(p) | s.matches('b')"),
                view("filtered", List.of("k", "b"), 7_000, "q != 0 && s != 'b'",
                        "n: count", "sq: sum(q)", "firstp: first(p)", "lastp: last(p)", "ds: distinct(s)",
                        "p9: quantile(q, 0.9)", "re: count | s.matches('^a')", "meanp: mean(p) | p > 0"),
                view("java_filter", List.of("p", "t"), 86_400_000, "s.matches('a') || q > 5",
                        "n: count", "maxq: max(q)", "lastq: last(q)", "dk: distinct(k)", "varp: variance(p)"),
                view("conditions", List.of(), 3_600_000, "q > 0 || !(q > 0)",
                        "n: count", "mints: min(ts)", "sumts: sum(ts)", "firstt: first(t)", "lastts: last(ts)",
                        "none: count | s == 'none'", "maxp: max(p) | b ? p > 0.0 : p < 0.0",
                        "overflow: sum(q) | q * q > 1000000", "divzero: count | q / (k - k) > 0",
                        "prefix: count | size(s) > 1 && s.startsWith('a')", "times: count | t >= 0 && ts < 0",
                        "zero: count | p >= 0", "below: count | p < 0", "mod: count | q % -1 == 0",
                        "in: count | s in ['a', 'é'] || k in [1, -2]", "mixed: count | double(q) > p",
                        "nan: count | p / 0.0 > 1.0 || p / 0.0 != p / 0.0", "ends: count | s.endsWith('b')",
                        "contains: count | s.contains('') && b == true", "neg: count | -q < 0 && -p < 1.0"),
                view("derived", List.of("s"), 60_000, "sx != 'bx'",
                        "n: count(pq)", "spq: sum(pq)", "sqk: sum(qk)", "minqk: min(qk)", "maxpq: max(pq)",
                        "firstpq: first(pq)", "lastqk: last(qk)", "meanratio: mean(ratio)", "varqk: variance(qk)",
                        "dsx: distinct(sx)", "dpos: distinct(pos)", "medratio: quantile(ratio, 0.5)",
                        "cpos: count | pos", "big: count | pq > 10.0", "slate: sum(late) | qk > 0",
                        "nanratio: count | ratio != ratio", "npos: count(pos) | !pos"));
    }

    /** A view from measure specs {@code "name: function(field[, q]) [| where]"}. */
    private static ViewDef view(String name, List<String> groupBy, long granularityMs, String where,
                                String... measures) {
        Map<String, MeasureDef> defs = new LinkedHashMap<>();
        for (String spec : measures) {
            String[] nameRest = spec.split(": ", 2);
            String[] callWhere = nameRest[1].split(" \\| ", 2);
            String call = callWhere[0];
            String function = call.contains("(") ? call.substring(0, call.indexOf('(')) : call;
            String field = null;
            Double parameter = null;
            if (call.contains("(")) {
                String[] args = call.substring(call.indexOf('(') + 1, call.length() - 1).split(", ");
                field = args[0];
                parameter = args.length > 1 ? Double.parseDouble(args[1]) : null;
            }
            defs.put(nameRest[0], new MeasureDef(nameRest[0], function, field, parameter,
                    callWhere.length > 1 ? callWhere[1] : null));
        }
        return new ViewDef(name, STREAM.name(), groupBy, granularityMs, where, defs);
    }

    /**
     * Random events in arrival order: a few ms apart or at the same ms, the clock now and then stepping back;
     * event times around 1970 with many repeats; every field null now and then.
     */
    public static List<LakeEvent> events(long seed, int n) {
        Random r = new Random(seed);
        long[] offsets = new long[3];
        long[] repeatedTimes = new long[12];
        for (int i = 0; i < repeatedTimes.length; i++) {
            repeatedTimes[i] = T0 + r.nextInt(400_000) - 200_000;
        }
        long arrival = -25_000;
        List<LakeEvent> events = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (r.nextInt(3) == 0) {
                arrival += r.nextInt(400) - 30;
            }
            int partition = r.nextInt(3);
            long eventTime = r.nextBoolean() ? repeatedTimes[r.nextInt(repeatedTimes.length)]
                    : T0 + r.nextInt(400_000) - 200_000;
            Object[] values = {
                STRINGS[r.nextInt(STRINGS.length)],
                r.nextInt(6) == 0 ? null : (long) (r.nextInt(5) - 2),
                r.nextInt(6) == 0 ? null : switch (r.nextInt(8)) {
                    case 0 -> -0.0;
                    case 1 -> 0.0;
                    default -> Math.round(r.nextGaussian() * 10_000) / 100.0;
                },
                r.nextInt(6) == 0 ? null : switch (r.nextInt(10)) {
                    case 0 -> Long.MAX_VALUE - r.nextInt(3);
                    case 1 -> Long.MIN_VALUE + r.nextInt(3);
                    default -> (long) (r.nextInt(2001) - 1000);
                },
                r.nextInt(6) == 0 ? null : eventTime + r.nextInt(2_000_000) - 1_000_000,
                r.nextInt(6) == 0 ? null : r.nextBoolean()};
            events.add(new LakeEvent(values, eventTime, arrival, partition, offsets[partition]++,
                    Math.floorDiv(arrival, EPOCH_MS)));
        }
        return events;
    }

    /** Accumulators by group, with the rows of each group for the error bounds. */
    private static final class Groups {
        final Map<Ref, Object[]> accumulators = new HashMap<>();
        final Map<Ref, List<Row>> rows = new HashMap<>();
    }

    private Groups batch(CompiledView view, List<Path> files, boolean byEpoch) throws IOException {
        Groups out = new Groups();
        engine.aggregate(view, files, byEpoch, (dims, bucket, epoch, accs) -> {
            Object previous = out.accumulators.put(new Ref(dims, bucket, epoch), accs);
            assertThat(previous).as("group %s %s %s visited twice", dims, bucket, epoch).isNull();
        });
        return out;
    }

    /** The plain reference: the hot path's own code, event by event. */
    private static Groups reference(CompiledView view, List<LakeEvent> events, boolean byEpoch) {
        Groups out = new Groups();
        for (LakeEvent e : events) {
            TestRow row = e.row(STREAM);
            if (!view.accepts(row)) {
                continue;
            }
            Ref ref = new Ref(view.keyOf(row), view.bucketOf(row), byEpoch ? e.epoch() : Long.MIN_VALUE);
            view.add(out.accumulators.computeIfAbsent(ref, k -> view.createAccumulators()), row);
            out.rows.computeIfAbsent(ref, k -> new ArrayList<>()).add(row);
        }
        return out;
    }

    private static void assertEquivalent(CompiledView view, Groups expected, Groups actual) {
        assertThat(actual.accumulators.keySet()).as("groups of %s", view.name())
                .containsExactlyInAnyOrderElementsOf(expected.accumulators.keySet());
        List<MeasureDef> defs = List.copyOf(view.def().measures().values());
        Measure<Object>[] measures = view.measures();
        expected.accumulators.forEach((ref, want) -> {
            Object[] got = actual.accumulators.get(ref);
            Object[] wantResults = view.results(want);
            Object[] gotResults = view.results(got);
            List<Row> rows = expected.rows.getOrDefault(ref, List.of());
            for (int i = 0; i < defs.size(); i++) {
                MeasureDef def = defs.get(i);
                String what = view.name() + "." + def.name() + " of " + ref;
                try {
                    if (exact(def)) {
                        assertThat(bytes(measures[i], got[i])).as(what).isEqualTo(bytes(measures[i], want[i]));
                    }
                    equivalence(def).assertEquivalent(wantResults[i], gotResults[i], rows);
                } catch (AssertionError e) {
                    throw new AssertionError(what + ": " + e.getMessage(), e);
                }
            }
        });
    }

    private static boolean exact(MeasureDef def) {
        return switch (def.function()) {
            case "count", "min", "max", "first", "last" -> true;
            case "sum" -> !isDouble(def.field());
            default -> false;
        };
    }

    private static ResultEquivalence equivalence(MeasureDef def) {
        return switch (def.function().toLowerCase(Locale.ROOT)) {
            case "sum" -> ResultEquivalence.relative(1e-9, rows -> sum(rows, def.field(), Math::abs));
            case "mean" -> ResultEquivalence.relative(1e-9, rows -> max(rows, def.field(), Math::abs));
            case "variance" -> ResultEquivalence.relative(1e-9, rows -> max(rows, def.field(), x -> x * x));
            case "distinct" -> ResultEquivalence.hll(Measures.HLL_LG_K);
            default -> ResultEquivalence.exact();
        };
    }

    private static boolean isDouble(String field) {
        return STREAM.typeOf(field) == FieldType.DOUBLE;
    }

    private static double sum(List<Row> rows, String field, java.util.function.DoubleUnaryOperator f) {
        return values(rows, field).stream().mapToDouble(x -> f.applyAsDouble(x)).sum();
    }

    private static double max(List<Row> rows, String field, java.util.function.DoubleUnaryOperator f) {
        return values(rows, field).stream().mapToDouble(x -> f.applyAsDouble(x)).max().orElse(1);
    }

    private static List<Double> values(List<Row> rows, String field) {
        FieldReader reader = Expressions.reader(field, STREAM);
        return rows.stream().filter(r -> !reader.isNull(r)).map(reader::getNumber).toList();
    }

    private static byte[] bytes(Measure<Object> measure, Object acc) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            measure.write(acc, new DataOutputStream(out));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
