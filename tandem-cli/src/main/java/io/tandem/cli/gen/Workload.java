package io.tandem.cli.gen;

import io.tandem.core.StreamDef;
import io.tandem.core.ViewDef;
import io.tandem.core.codec.RowCodec;

/**
 * A synthetic benchmark workload defined exactly (see {@code BENCH-WORKLOADS.md}): a stream, one view over it and
 * a deterministic generator of its events, so that engines can be compared on the same data.
 *
 * <p>Event {@code g} is a pure function of the seed and {@code g}: it is the same whatever was generated before it,
 * in any order and on any thread. Some workloads carry per-thread state to make that cheap (see
 * {@link OhlcvWorkload}); all of them are fastest when each thread calls {@link #generate} with {@code g}
 * increasing by one, so a parallel generator gives each thread one contiguous range of event numbers.
 */
public interface Workload {

    /** The seed of the published figures. */
    long DEFAULT_SEED = 42;

    /** The name a benchmark is run with, e.g. {@code ohlcv-1m}. */
    String name();

    /** The stream the events belong to; build the {@link RowCodec} for {@link #generate} from it. */
    StreamDef stream();

    /** The view the benchmark maintains over {@link #stream()}. */
    ViewDef view();

    /** The number of events, N: valid event numbers are {@code 0 .. N - 1}. */
    long events();

    /**
     * Writes event {@code g} into {@code out}: calls {@code out.reset(eventTime)} and sets every field.
     *
     * @param out a builder of a codec made from {@link #stream()}
     * @throws IndexOutOfBoundsException when {@code g} is not in {@code [0, events())}
     */
    void generate(long g, RowCodec.Builder out);
}
