package io.tandem.engine.search;

import io.tandem.core.FieldType;
import io.tandem.core.Row;
import io.tandem.core.StreamDef;

/**
 * One event as the search index takes it, copied out of the hot path's flyweight row or read from the lake.
 *
 * @param values the declared fields by index (String, Long, Double or Boolean; a timestamp as epoch ms), null
 *               where the event had none; the time field, when also declared, is left null (its value is
 *               {@code eventTime})
 */
record IndexedEvent(Object[] values, long eventTime, long arrivalMs, long epoch, int partition, long offset) {

    private static final long OFFSET_MASK = (1L << 48) - 1;

    /** Copies what the index needs from a row; {@code epoch} is the log's {@code floorDiv(arrival, epochMs)}. */
    static IndexedEvent copy(StreamDef stream, int partition, Row row, long epoch) {
        Object[] values = new Object[stream.fields().size()];
        for (int i = 0; i < values.length; i++) {
            if (row.isNull(i) || stream.field(i).name().equals(stream.timeField())) {
                continue;
            }
            FieldType type = stream.field(i).type();
            values[i] = switch (type) {
                case STRING -> row.getString(i);
                case LONG, TIMESTAMP -> row.getLong(i);
                case DOUBLE -> row.getDouble(i);
                case BOOLEAN -> row.getBoolean(i);
            };
        }
        return new IndexedEvent(values, row.eventTime(), row.arrivalTime(), epoch, partition,
                row.sequence() & OFFSET_MASK);
    }
}
