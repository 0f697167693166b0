package io.tandem.spark;

import io.tandem.core.DuckDbDef;
import io.tandem.core.FieldDef;
import io.tandem.core.FieldType;
import io.tandem.core.GroupKey;
import io.tandem.core.Measure;
import io.tandem.core.MeasureDef;
import io.tandem.core.StreamDef;
import io.tandem.core.UnknownFields;
import io.tandem.core.ViewDef;
import io.tandem.engine.batch.DuckDbBatchEngine;
import io.tandem.engine.duckdb.DuckDb;
import io.tandem.spi.batch.BatchEngine;
import io.tandem.spi.testkit.LakeEvent;
import io.tandem.spi.testkit.LakeWriter;
import io.tandem.spi.view.CompiledView;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Spark engine and the embedded DuckDB engine over the same lake files give the same groups and, measure by
 * measure, the same accumulators: byte for byte for the exact measures (count, integer sums and means, min, max,
 * first, last); for the others the same results within {@link Measure#difference}, as their bytes depend on how
 * the values were summed or merged: DuckDB sums doubles and computes variances in SQL, and feeds each sketch one
 * group's values in one go, where Spark's tasks build partial sketches that the merge unites.
 */
class SparkVersusDuckDbTest {

    private static final long EPOCH_MS = 10_000;

    private static final StreamDef TRADES = new StreamDef("trades", "ts", 0, List.of(
            new FieldDef("symbol", FieldType.STRING), new FieldDef("venue", FieldType.STRING),
            new FieldDef("price", FieldType.DOUBLE), new FieldDef("qty", FieldType.LONG),
            new FieldDef("side", FieldType.BOOLEAN), new FieldDef("settled", FieldType.TIMESTAMP)),
            UnknownFields.IGNORE);

    @TempDir
    Path lake;

    @TempDir
    Path spill;

    @Test
    void when_bothEnginesReadTheSameLake_then_everyGroupsAccumulatorsAgree() throws IOException {
        // a lake of 6,000 trades over 3 partitions and about 8 epochs, some before 1970, a field null now and then
        List<Path> files = LakeWriter.write(lake, TRADES, trades(42, 6_000));
        try (BatchEngine duck = new DuckDbBatchEngine(new DuckDb(DuckDbDef.defaults(), spill));
             BatchEngine spark = TestSpark.engine()) {
            for (ViewDef def : views()) {
                CompiledView view = new CompiledView(def, TRADES);
                for (boolean byEpoch : new boolean[] {true, false}) {
                    // each engine aggregates the same files; then group by group, measure by measure
                    Map<Group, Object[]> want = aggregate(duck, view, files, byEpoch);
                    Map<Group, Object[]> got = aggregate(spark, view, files, byEpoch);
                    assertThat(want).as("%s has groups", def.name()).isNotEmpty();
                    assertThat(got.keySet()).as("groups of %s, by epoch %s", def.name(), byEpoch)
                            .containsExactlyInAnyOrderElementsOf(want.keySet());
                    want.forEach((group, accs) -> assertSame(view, group, accs, got.get(group)));
                }
            }
        }
    }

    @Test
    void when_theTimeFieldIsAlsoADeclaredField_then_bothEnginesStillAgree() throws IOException {
        // the lake holds the time field once, as the field's column; the view groups by it and aggregates it
        StreamDef ticks = new StreamDef("ticks", "ts", 0, List.of(new FieldDef("ts", FieldType.TIMESTAMP),
                new FieldDef("symbol", FieldType.STRING), new FieldDef("qty", FieldType.LONG)), UnknownFields.IGNORE);
        List<LakeEvent> events = new ArrayList<>();
        for (LakeEvent e : trades(7, 500)) {
            events.add(new LakeEvent(new Object[] {e.eventTime(), e.values()[0], e.values()[3]}, e.eventTime(),
                    e.arrivalTime(), e.partition(), e.offset(), e.epoch()));
        }
        List<Path> files = LakeWriter.write(lake, ticks, events);
        CompiledView view = new CompiledView(new ViewDef("by_time", "ticks", List.of("ts"), 1_000, null,
                view("x", List.of(), 1, null, "n: count", "first: min(ts)", "last: last(qty)", "volume: sum(qty)",
                        "times: distinct(ts)").measures()), ticks);
        try (BatchEngine duck = new DuckDbBatchEngine(new DuckDb(DuckDbDef.defaults(), spill));
             BatchEngine spark = TestSpark.engine()) {
            Map<Group, Object[]> want = aggregate(duck, view, files, true);
            Map<Group, Object[]> got = aggregate(spark, view, files, true);
            assertThat(got.keySet()).containsExactlyInAnyOrderElementsOf(want.keySet()).hasSizeGreaterThan(100);
            want.forEach((group, accs) -> assertSame(view, group, accs, got.get(group)));
        }
    }

    private static void assertSame(CompiledView view, Group group, Object[] want, Object[] got) {
        List<MeasureDef> defs = List.copyOf(view.def().measures().values());
        Measure<Object>[] measures = view.measures();
        for (int i = 0; i < measures.length; i++) {
            String what = view.name() + "." + defs.get(i).name() + " of " + group;
            if (exact(view, defs.get(i))) {
                assertThat(bytes(measures[i], got[i])).as(what).isEqualTo(bytes(measures[i], want[i]));
            } else {
                assertThat(measures[i].difference(want[i], got[i]).beyond()).as("%s: %s vs %s", what,
                        measures[i].result(want[i]), measures[i].result(got[i])).isFalse();
            }
        }
    }

    /** Also the mean of a long field: its sums here stay far below 2^53, where both engines sum exactly. */
    private static boolean exact(CompiledView view, MeasureDef def) {
        return switch (def.function()) {
            case "count", "min", "max", "first", "last" -> true;
            case "sum", "mean" -> {
                int f = view.stream().indexOf(def.field());
                yield f < 0 || view.stream().field(f).type() != FieldType.DOUBLE;
            }
            default -> false;
        };
    }

    /** One group of a result. */
    private record Group(GroupKey dims, long bucket, long epoch) {
    }

    private static Map<Group, Object[]> aggregate(BatchEngine engine, CompiledView view, List<Path> files,
                                                  boolean byEpoch) throws IOException {
        Map<Group, Object[]> out = new HashMap<>();
        engine.aggregate(view, files, byEpoch, (dims, bucket, epoch, accs) -> {
            Object previous = out.put(new Group(dims, bucket, epoch), accs);
            assertThat(previous).as("group %s %s %s visited twice", dims, bucket, epoch).isNull();
        });
        return out;
    }

    /**
     * Views that take each of DuckDB's passes: the exact GROUP BY, the sketch passes, and the Java pass for a
     * measure's and for the view's condition outside the CEL subset that translates to SQL.
     */
    static List<ViewDef> views() {
        return List.of(
                view("ohlcv", List.of("symbol"), 60_000, null,
                        "n: count", "volume: sum(qty)", "turnover: sum(price)", "low: min(price)",
                        "high: max(price)", "open: first(price)", "close: last(price)", "minq: min(qty)",
                        "lastq: last(qty)", "avg: mean(price)", "avgq: mean(qty)", "var: variance(price)",
                        "venues: distinct(venue)", "median: quantile(price, 0.5)", "buys: count | side",
                        "big: sum(qty) | qty > 400 && price > 10.0", "xvenue: count | venue.matches('^X')",
                        "sizes: distinct(qty) | qty % 2 == 0", "lastSettled: last(settled)"),
                view("by_venue", List.of("venue", "side"), 10_000, "symbol.matches('^S1')",
                        "n: count", "maxp: max(price)", "firstq: first(qty)", "p90: quantile(qty, 0.9)",
                        "symbols: distinct(symbol)"),
                view("all", List.of(), 3_600_000, "qty > 10 && venue != 'XNAS'",
                        "n: count", "first: first(price)", "last: last(ts)", "mints: min(ts)",
                        "symbols: distinct(symbol)", "varq: variance(qty)"));
    }

    /** A view from measure specs {@code "name: function(field[, q]) [| where]"}. */
    static ViewDef view(String name, List<String> groupBy, long granularityMs, String where, String... measures) {
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
        return new ViewDef(name, TRADES.name(), groupBy, granularityMs, where, defs);
    }

    /** Trades in arrival order over 3 partitions, a few ms apart, event times up to a minute before arrival. */
    static List<LakeEvent> trades(long seed, int n) {
        Random r = new Random(seed);
        String[] venues = {"XNAS", "XNYS", "BATS", "IEXG", null};
        long[] offsets = new long[3];
        long arrival = -30_000;
        List<LakeEvent> events = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            arrival += r.nextInt(30);
            int partition = r.nextInt(3);
            long eventTime = arrival - r.nextInt(60_000);
            Object[] values = {
                "S" + r.nextInt(40),
                venues[r.nextInt(venues.length)],
                r.nextInt(20) == 0 ? null : (1 + r.nextInt(100_000)) / 100.0,
                r.nextInt(20) == 0 ? null : (long) (1 + r.nextInt(500)),
                r.nextBoolean(),
                r.nextInt(10) == 0 ? null : eventTime + 2 * 86_400_000L};
            events.add(new LakeEvent(values, eventTime, arrival, partition, offsets[partition]++,
                    Math.floorDiv(arrival, EPOCH_MS)));
        }
        return events;
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
