package io.tandem.core.measure;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;

/** Small helpers shared by the measures' SQL forms. */
final class SqlForms {

    /** Reads one result row into an accumulator. */
    @FunctionalInterface
    interface Reader<A> {
        A read(Object[] values, int offset);
    }

    private record Simple<A>(List<String> aggregates, Reader<A> reader) implements SqlForm<A> {
        @Override
        public A fromSql(Object[] values, int offset) {
            return reader.read(values, offset);
        }
    }

    private SqlForms() {
    }

    static <A> SqlForm<A> of(List<String> aggregates, Reader<A> reader) {
        return new Simple<>(List.copyOf(aggregates), reader);
    }

    /** {@code aggregate FILTER (WHERE filter)}, or the aggregate alone when there is no filter. */
    static String filter(String aggregate, String filter) {
        return filter == null ? aggregate : aggregate + " FILTER (WHERE " + filter + ")";
    }

    /** Both conditions, either of which may be null. */
    static String and(String a, String b) {
        if (a == null) {
            return b;
        }
        return b == null ? a : "(" + a + ") AND (" + b + ")";
    }

    /** A SQL integer as a Java long, wrapping around like Java's long arithmetic; 0 for NULL. */
    static long wrapped(Object value) {
        return value == null ? 0 : ((Number) value).longValue();
    }

    /** A SQL double; 0 for NULL. */
    static double real(Object value) {
        return value == null ? 0 : ((Number) value).doubleValue();
    }

    /** The exact integer sum as the nearest double plus the remainder that the double lost. */
    static void exactSum(DoubleAcc acc, Object sum) {
        if (sum == null) {
            return;
        }
        BigInteger exact = sum instanceof BigInteger b ? b : BigInteger.valueOf(((Number) sum).longValue());
        acc.value = exact.doubleValue();
        if (Double.isFinite(acc.value)) {
            acc.compensation = new BigDecimal(exact).subtract(new BigDecimal(acc.value)).doubleValue();
        }
    }
}
