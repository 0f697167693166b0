package io.tandem.core.measure;

import io.tandem.core.Measure;
import io.tandem.core.MeasureDef;
import io.tandem.core.StreamDef;

/** Builds the {@link Measure} that a {@link MeasureDef} declares over a stream. */
public final class Measures {

    private Measures() {
    }

    /**
     * @throws IllegalArgumentException naming the problem (unknown function, unknown field, a field of the wrong
     *                                  type, a bad quantile rank, a bad where condition)
     */
    public static Measure<?> compile(MeasureDef def, StreamDef stream) {
        throw new IllegalStateException("to be implemented");
    }
}
