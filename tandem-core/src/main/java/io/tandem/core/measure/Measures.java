package io.tandem.core.measure;

import io.tandem.core.Measure;
import io.tandem.core.MeasureDef;
import io.tandem.core.StreamDef;
import io.tandem.core.expr.Expressions;
import io.tandem.core.expr.SqlColumns;
import org.apache.datasketches.hll.TgtHllType;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Builds the {@link Measure} that a {@link MeasureDef} declares over a stream.
 *
 * <table>
 *   <caption>The functions</caption>
 *   <tr><th>function</th><th>fields</th><th>result</th></tr>
 *   <tr><td>count, count(f)</td><td>any (counts non-null values)</td><td>Long, 0 when empty</td></tr>
 *   <tr><td>sum(f)</td><td>numeric</td><td>exact for long and timestamp fields: a Long, or a BigInteger beyond the
 *       long range; else Double</td></tr>
 *   <tr><td>min(f), max(f)</td><td>numeric</td><td>Long for long and timestamp fields, else Double</td></tr>
 *   <tr><td>first(f), last(f)</td><td>numeric</td><td>value at the earliest (latest) event time; ties by
 *       arrival</td></tr>
 *   <tr><td>mean(f), variance(f)</td><td>numeric</td><td>Double; variance is the population variance</td></tr>
 *   <tr><td>distinct(f)</td><td>any</td><td>Long, estimated by HyperLogLog</td></tr>
 *   <tr><td>quantile(f, q)</td><td>numeric</td><td>Double, estimated by KLL</td></tr>
 * </table>
 *
 * <p>Numeric means long, double or timestamp (epoch ms). A field may also be the stream's time field when the
 * stream does not declare it: it reads the event time as a timestamp; or a derived field (null where its expression
 * reads a null or fails). Null values are skipped, and every result
 * but count's is null when nothing was added. A {@code where} condition (CEL, see {@link Expressions}) filters the
 * events a measure adds. Measures are stateless and may be shared between threads; their accumulators may not.
 */
public final class Measures {

    /** log2 of the number of HLL buckets of {@code distinct}: 4096 buckets, relative standard error ~1.6%. */
    public static final int HLL_LG_K = 12;

    /** The HLL register width of {@code distinct}. */
    public static final TgtHllType HLL_TYPE = TgtHllType.HLL_8;

    /** The accuracy parameter k of the KLL sketch of {@code quantile}: normalized rank error ~1.65%. */
    public static final int KLL_K = 200;

    /** The function names, in the order error messages list them. */
    public static final List<String> FUNCTIONS =
            List.of("count", "sum", "min", "max", "first", "last", "mean", "variance", "distinct", "quantile");

    private Measures() {
    }

    /**
     * @throws IllegalArgumentException naming the problem (unknown function, unknown field, a field of the wrong
     *                                  type, a bad quantile rank, a bad where condition)
     */
    public static Measure<?> compile(MeasureDef def, StreamDef stream) {
        String function = def.function() == null ? "" : def.function().toLowerCase(Locale.ROOT);
        if (!FUNCTIONS.contains(function)) {
            throw new IllegalArgumentException("unknown function '" + def.function() + "' (functions: "
                    + String.join(", ", FUNCTIONS) + ")");
        }
        if (def.parameter() != null && !function.equals("quantile")) {
            throw new IllegalArgumentException(function + ": takes no parameter, got " + def.parameter());
        }
        Measure<?> measure = function.equals("count") ? count(def, stream) : withField(function, def, stream);
        if (def.where() == null || def.where().isBlank()) {
            return measure;
        }
        return filtered(measure, def.where(), stream);
    }

    private static <A> Measure<A> filtered(Measure<A> measure, String where, StreamDef stream) {
        return new FilteredMeasure<>(measure, Expressions.predicate(where, stream), where);
    }

    /**
     * How SQL over {@code columns} computes {@code measure} exactly (see {@link SqlForm}), or empty for the sketch
     * measures (distinct, quantile) and for a {@code where} outside the CEL subset that translates to SQL
     * ({@link Expressions#toSql}). A measure without a SQL form is computed by feeding rows to {@code add}.
     */
    @SuppressWarnings("unchecked")
    public static <A> Optional<SqlForm<A>> sqlForm(Measure<A> measure, SqlColumns columns) {
        if (measure instanceof SqlExpressible<?> expressible) {
            return Optional.ofNullable(((SqlExpressible<A>) expressible).sqlForm(columns, null));
        }
        return Optional.empty();
    }

    /** The measure without its {@code where} condition, with the same accumulator type; itself when it has none. */
    public static <A> Measure<A> unfiltered(Measure<A> measure) {
        return measure instanceof FilteredMeasure<A> filtered ? filtered.inner() : measure;
    }

    private static Measure<?> count(MeasureDef def, StreamDef stream) {
        return new CountMeasure(def.field() == null ? null : input(def.field(), stream));
    }

    private static Measure<?> withField(String function, MeasureDef def, StreamDef stream) {
        if (def.field() == null || def.field().isBlank()) {
            throw new IllegalArgumentException(function + ": a field is required, e.g. " + function + "(price)");
        }
        Input in = input(def.field(), stream);
        if (function.equals("distinct")) {
            return new DistinctMeasure(in);
        }
        if (!in.type.isNumeric()) {
            throw new IllegalArgumentException(function + ": field '" + in.name + "' is " + in.type.configName()
                    + ", expected a numeric field (long, double or timestamp)");
        }
        boolean integral = in.isIntegral();
        return switch (function) {
            case "sum" -> integral ? new LongSum(in) : new DoubleSum(in, false);
            case "min", "max" -> integral
                    ? new LongExtreme(in, function.equals("max"))
                    : new DoubleExtreme(in, function.equals("max"));
            case "first", "last" -> new FirstLast(in, function.equals("last"));
            case "mean" -> new DoubleSum(in, true);
            case "variance" -> new VarianceMeasure(in);
            default -> new QuantileMeasure(in, rank(def.parameter()));
        };
    }

    private static double rank(Double q) {
        if (q == null) {
            throw new IllegalArgumentException("quantile: a rank is required, e.g. quantile(latency, 0.99)");
        }
        if (!(q >= 0.0 && q <= 1.0)) {
            throw new IllegalArgumentException("quantile: rank must be between 0 and 1, got " + q);
        }
        return q;
    }

    private static Input input(String field, StreamDef stream) {
        return new Input(Expressions.reader(field, stream));
    }
}
