package io.tandem.core;

/** What a measure's {@link Measure#result} is, so that every engine and every output types it alike. */
public enum ResultType {
    /** A Long: counts, distinct counts, extremes of long fields. */
    LONG,
    /** A whole number of any size: a Long, or a BigInteger beyond the long range (an exact sum of longs). */
    INTEGER,
    /** A Double, possibly infinite or NaN: means, variances, quantiles, anything over a double field. */
    DOUBLE,
    /** A Long of epoch milliseconds: extremes and first/last of a timestamp field. */
    TIMESTAMP;

    /** Whether two results of this type are compared exactly: every type but {@link #DOUBLE}. */
    public boolean exact() {
        return this != DOUBLE;
    }
}
