package io.tandem.spi.testkit;

import io.tandem.core.StreamDef;

/**
 * One event as the lake holds it.
 *
 * @param values one per declared field: String, Long, Double, Boolean or null (timestamps as epoch ms)
 */
public record LakeEvent(Object[] values, long eventTime, long arrivalTime, int partition, long offset, long epoch) {

    /** {@code Row.sequence()} of this event. */
    public long sequence() {
        return ((long) partition << 48) | offset;
    }

    /** The same event as the hot path reads it. */
    public TestRow row(StreamDef stream) {
        return TestRow.of(stream, eventTime, arrivalTime, sequence(), values);
    }
}
