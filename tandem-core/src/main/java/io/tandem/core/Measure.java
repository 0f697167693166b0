package io.tandem.core;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * A mergeable aggregate (a commutative monoid over events): the one aggregation contract that the hot path, the
 * batch engine and the merge all run.
 *
 * <p>Accumulators are mutable and owned by one thread at a time. {@link #create()} is the identity,
 * {@link #merge} is associative and commutative (exactly, or within the stated error of a sketch), and
 * {@link #write}/{@link #read} round-trip an accumulator through its binary form.
 *
 * @param <A> the accumulator type
 */
public interface Measure<A> {

    /** A new empty accumulator: the identity of {@link #merge}. */
    A create();

    /** Folds one event into the accumulator. Must not throw on a null field: nulls are skipped. */
    void add(A acc, Row row);

    /** Combines two accumulators; may reuse and return {@code left}, and must not change {@code right}. */
    A merge(A left, A right);

    /**
     * The value a query returns: a Long, a Double (infinite or NaN when a double sum leaves the double range), a
     * BigInteger (an exact sum of longs beyond the long range) or null when nothing was added.
     */
    Object result(A acc);

    /** What {@link #result} returns. */
    ResultType resultType();

    /**
     * How far apart two accumulators of the same events are, when built by different engines or merged in a
     * different order: by default, their results compared as {@link Difference#of} compares the result type
     * (exact, or within rounding for doubles); a sketch says what is exact about it instead.
     */
    default Difference difference(A left, A right) {
        return Difference.of(resultType(), result(left), result(right));
    }

    void write(A acc, DataOutput out) throws IOException;

    A read(DataInput in) throws IOException;

    /** A deep copy, so that a reader can keep a value that its owner goes on changing. */
    default A copy(A acc) {
        return merge(create(), acc);
    }
}
