package io.tandem.core.expr;

import io.tandem.core.FieldDef;
import io.tandem.core.FieldType;
import io.tandem.core.Row;
import io.tandem.core.StreamDef;
import io.tandem.core.UnknownFields;
import io.tandem.core.codec.RowCodec;

import java.util.List;

/** The stream of the expression tests and a way to build its rows. */
final class Events {

    static final StreamDef STREAM = new StreamDef("trades", "time", 0, List.of(
            new FieldDef("s", FieldType.STRING),
            new FieldDef("p", FieldType.DOUBLE),
            new FieldDef("q", FieldType.LONG),
            new FieldDef("ts", FieldType.TIMESTAMP),
            new FieldDef("b", FieldType.BOOLEAN)), UnknownFields.REJECT);

    private static final RowCodec CODEC = new RowCodec(STREAM);

    private Events() {
    }

    /** A row with event time {@code time}; null values are null fields. */
    static Row row(long time, String s, Double p, Long q, Long ts, Boolean b) {
        RowCodec.Builder builder = CODEC.builder().reset(time).setString(0, s);
        if (p != null) {
            builder.setDouble(1, p);
        }
        if (q != null) {
            builder.setLong(2, q);
        }
        if (ts != null) {
            builder.setLong(3, ts);
        }
        if (b != null) {
            builder.setBoolean(4, b);
        }
        byte[] payload = builder.encode();
        return CODEC.reader().reset(payload, 0, payload.length, 0, 0);
    }
}
