package io.tandem.spark;

import io.tandem.core.Row;
import io.tandem.core.ValueRow;

import java.io.Serializable;

/**
 * Reads lake records from Spark rows of the columns {@link Layout} places into a {@link ValueRow}, the record as the
 * measures see it: Strings, Longs (timestamps as epoch ms, converted by Spark), Doubles, Booleans or nulls, by
 * field index. Reused from one record to the next.
 */
final class LakeRow {

    /**
     * Where the lake's columns are in the Spark rows the engine selects, -1 for a field not selected; the
     * timestamps (TIMESTAMP fields, time, arrival) as BIGINT epoch ms.
     */
    record Layout(int[] fieldColumns, int time, int arrival, int partition, int offset, int epoch)
            implements Serializable {
    }

    private static final int SEQUENCE_SHIFT = 48;

    private final Layout layout;
    private final ValueRow values;

    LakeRow(Layout layout) {
        this.layout = layout;
        this.values = new ValueRow(layout.fieldColumns().length);
    }

    /** Reads one Spark row; the sequence is {@code partition << 48 | offset}, as {@link Row#sequence()} says. */
    Row read(org.apache.spark.sql.Row row) {
        int[] columns = layout.fieldColumns();
        for (int f = 0; f < columns.length; f++) {
            int c = columns[f];
            values.set(f, c < 0 || row.isNullAt(c) ? null : row.get(c));
        }
        values.position(row.getLong(layout.time()), row.getLong(layout.arrival()),
                ((long) row.getInt(layout.partition()) << SEQUENCE_SHIFT) | row.getLong(layout.offset()));
        return values;
    }

    /** The epoch of a Spark row of this layout. */
    long epoch(org.apache.spark.sql.Row row) {
        return row.getLong(layout.epoch());
    }
}
