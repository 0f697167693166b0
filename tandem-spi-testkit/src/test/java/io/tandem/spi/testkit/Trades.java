package io.tandem.spi.testkit;

import io.tandem.core.FieldDef;
import io.tandem.core.FieldType;
import io.tandem.core.Measure;
import io.tandem.core.MeasureDef;
import io.tandem.core.Row;
import io.tandem.core.StreamDef;
import io.tandem.core.UnknownFields;
import io.tandem.core.measure.Measures;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The test stream, the where conditions the tests use (each in CEL and as a hand-written Java predicate), and
 * naive reference computations of every measure.
 */
final class Trades {

    static final StreamDef STREAM = new StreamDef("trades", "time", 0, List.of(
            new FieldDef("symbol", FieldType.STRING),
            new FieldDef("price", FieldType.DOUBLE),
            new FieldDef("qty", FieldType.LONG),
            new FieldDef("ts", FieldType.TIMESTAMP),
            new FieldDef("active", FieldType.BOOLEAN)), UnknownFields.REJECT);

    /** A where condition in CEL and the same condition written by hand. */
    record Where(String cel, Predicate<TestRow> java) {
    }

    /** Compiled to Java lambdas. */
    static final Where STARTS_WITH_A = new Where("symbol.startsWith('A')",
            r -> r.get("symbol") instanceof String s && s.startsWith("A"));
    /** Compiled, with a null on either side making the comparison unknown. */
    static final Where BIG_BUY = new Where("qty > 10 && price >= 0.0",
            r -> r.get("qty") instanceof Long q && r.get("price") instanceof Double p && q > 10 && p >= 0.0);
    /** Run by the CEL interpreter: {@code matches} is outside the compiled subset. */
    static final Where INTERPRETED = new Where("symbol.matches('^[A-M]') || active",
            r -> r.get("symbol") instanceof String s && s.matches("^[A-M].*") || Boolean.TRUE.equals(r.get("active")));
    /** Reads the event time (before 1970) and a timestamp field. */
    static final Where BEFORE_1970_OR_EVEN_TS = new Where("time < 0 || ts % 2 == 0",
            r -> r.eventTime() < 0 || r.get("ts") instanceof Long t && t % 2 == 0);

    private Trades() {
    }

    static Measure<?> measure(String function, String field, Double parameter, Where where) {
        return Measures.compile(new MeasureDef("m", function, field, parameter, where == null ? null : where.cel()),
                STREAM);
    }

    static List<TestRow> matching(List<Row> rows, Where where) {
        List<TestRow> out = new ArrayList<>();
        for (Row r : rows) {
            TestRow t = (TestRow) r;
            if (where == null || where.java().test(t)) {
                out.add(t);
            }
        }
        return out;
    }

    /** The non-null values of a field (or the event time) in the rows that match. */
    static List<Object> values(List<Row> rows, String field, Where where) {
        return matching(rows, where).stream().map(r -> r.get(field)).filter(Objects::nonNull).toList();
    }

    static double[] numbers(List<Row> rows, String field, Where where) {
        return values(rows, field, where).stream().mapToDouble(v -> ((Number) v).doubleValue()).toArray();
    }

    /** The naive answer of {@code function(field)} over the rows that match. */
    static Object reference(String function, String field, Double q, Where where, List<Row> rows) {
        if (function.equals("count")) {
            return field == null ? (long) matching(rows, where).size() : (long) values(rows, field, where).size();
        }
        List<Object> values = values(rows, field, where);
        if (values.isEmpty()) {
            return null;
        }
        boolean integral = values.get(0) instanceof Long;
        return switch (function) {
            case "sum" -> integral
                    ? exactLong(exactSum(values).toBigIntegerExact())
                    : (Object) exactSum(values).doubleValue();
            case "min" -> integral
                    ? (Object) values.stream().mapToLong(v -> (Long) v).min().getAsLong()
                    : (Object) values.stream().mapToDouble(v -> (Double) v).reduce(Math::min).getAsDouble();
            case "max" -> integral
                    ? (Object) values.stream().mapToLong(v -> (Long) v).max().getAsLong()
                    : (Object) values.stream().mapToDouble(v -> (Double) v).reduce(Math::max).getAsDouble();
            case "first", "last" -> firstOrLast(rows, field, where, function.equals("last"));
            case "mean" -> exactSum(values).divide(BigDecimal.valueOf(values.size()), MathContext.DECIMAL128)
                    .doubleValue();
            case "variance" -> variance(values);
            case "distinct" -> (long) distinct(values).size();
            case "quantile" -> quantile(values, q);
            default -> throw new IllegalArgumentException(function);
        };
    }

    /** A Long when it fits one, else the BigInteger, as an exact sum of longs is returned. */
    static Object exactLong(BigInteger v) {
        return v.bitLength() < 64 ? (Object) v.longValueExact() : v;
    }

    private static BigDecimal exactSum(List<Object> values) {
        BigDecimal sum = BigDecimal.ZERO;
        for (Object v : values) {
            sum = sum.add(v instanceof Long l ? BigDecimal.valueOf(l) : new BigDecimal((Double) v));
        }
        return sum;
    }

    private static double variance(List<Object> values) {
        MathContext mc = MathContext.DECIMAL128;
        BigDecimal n = BigDecimal.valueOf(values.size());
        BigDecimal mean = exactSum(values).divide(n, mc);
        BigDecimal squares = BigDecimal.ZERO;
        for (Object v : values) {
            BigDecimal d = new BigDecimal(((Number) v).doubleValue()).subtract(mean, mc);
            squares = squares.add(d.multiply(d, mc), mc);
        }
        return squares.divide(n, mc).doubleValue();
    }

    /** The value at the smallest (largest) (event time, arrival time, sequence). */
    private static Object firstOrLast(List<Row> rows, String field, Where where, boolean last) {
        Comparator<TestRow> order = Comparator.comparingLong(TestRow::eventTime)
                .thenComparingLong(TestRow::arrivalTime)
                .thenComparingLong(TestRow::sequence)
                .thenComparingLong(r -> bits(r.get(field)));
        List<TestRow> candidates = matching(rows, where).stream().filter(r -> r.get(field) != null).toList();
        TestRow pick = (last ? candidates.stream().max(order) : candidates.stream().min(order)).orElseThrow();
        return pick.get(field);
    }

    private static long bits(Object v) {
        return v instanceof Double d ? Double.doubleToRawLongBits(d) : (Long) v;
    }

    private static Set<Object> distinct(List<Object> values) {
        Set<Object> set = new HashSet<>();
        for (Object v : values) {
            set.add(v instanceof Double d && d == 0.0 ? 0.0 : v);
        }
        return set;
    }

    /** The smallest value whose inclusive rank is at least q. */
    private static double quantile(List<Object> values, double q) {
        double[] sorted = values.stream().mapToDouble(v -> ((Number) v).doubleValue()).sorted().toArray();
        int i = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }
}
