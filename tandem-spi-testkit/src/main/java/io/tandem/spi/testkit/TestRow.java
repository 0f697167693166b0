package io.tandem.spi.testkit;

import io.tandem.core.Row;
import io.tandem.core.StreamDef;
import io.tandem.core.codec.BinaryRow;
import io.tandem.core.codec.RowCodec;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An immutable event for tests: encoded once with {@link RowCodec} and read back through its own
 * {@link BinaryRow}, so every test that uses it also exercises the codec. Unlike a flyweight it may be kept.
 */
public final class TestRow implements Row {

    private final StreamDef stream;
    private final byte[] payload;
    private final BinaryRow row;

    private TestRow(StreamDef stream, byte[] payload, long arrivalTime, long sequence) {
        this.stream = stream;
        this.payload = payload;
        this.row = new RowCodec(stream).reader().reset(payload, 0, payload.length, arrivalTime, sequence);
    }

    /**
     * An event of {@code stream}.
     *
     * @param values one per declared field, in order: String, Long or Integer, Double, Boolean, or null
     */
    public static TestRow of(StreamDef stream, long eventTime, long arrivalTime, long sequence, Object... values) {
        if (values.length != stream.fields().size()) {
            throw new IllegalArgumentException("expected " + stream.fields().size() + " values, got " + values.length);
        }
        RowCodec.Builder b = new RowCodec(stream).builder().reset(eventTime);
        for (int i = 0; i < values.length; i++) {
            Object v = values[i];
            if (v == null) {
                continue;
            }
            switch (stream.field(i).type()) {
                case STRING -> b.setString(i, (String) v);
                case LONG, TIMESTAMP -> b.setLong(i, ((Number) v).longValue());
                case DOUBLE -> b.setDouble(i, ((Number) v).doubleValue());
                case BOOLEAN -> b.setBoolean(i, (Boolean) v);
                default -> throw new IllegalStateException(stream.field(i).type().toString());
            }
        }
        return new TestRow(stream, b.encode(), arrivalTime, sequence);
    }

    /** The same event with other values; event time, arrival time and sequence unchanged. */
    public TestRow withValues(Object... values) {
        return of(stream, eventTime(), arrivalTime(), sequence(), values);
    }

    /** A field as a Java value (String, Long, Double, Boolean) or null. */
    public Object get(int field) {
        return row.get(field);
    }

    /** A field by name, or the event time for the stream's undeclared time field. */
    public Object get(String field) {
        int i = stream.indexOf(field);
        if (i >= 0) {
            return get(i);
        }
        if (field.equals(stream.timeField())) {
            return eventTime();
        }
        throw new IllegalArgumentException("unknown field '" + field + "' (fields: " + stream.fieldNames() + ")");
    }

    /** All declared fields' values, in order. */
    public List<Object> values() {
        List<Object> values = new ArrayList<>();
        for (int i = 0; i < stream.fields().size(); i++) {
            values.add(get(i));
        }
        return values;
    }

    /** The encoded payload, a copy. */
    public byte[] payload() {
        return payload.clone();
    }

    @Override
    public long eventTime() {
        return row.eventTime();
    }

    @Override
    public long arrivalTime() {
        return row.arrivalTime();
    }

    @Override
    public long sequence() {
        return row.sequence();
    }

    @Override
    public boolean isNull(int field) {
        return row.isNull(field);
    }

    @Override
    public long getLong(int field) {
        return row.getLong(field);
    }

    @Override
    public double getDouble(int field) {
        return row.getDouble(field);
    }

    @Override
    public boolean getBoolean(int field) {
        return row.getBoolean(field);
    }

    @Override
    public String getString(int field) {
        return row.getString(field);
    }

    @Override
    public double getNumber(int field) {
        return row.getNumber(field);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TestRow r && r.stream.equals(stream) && Arrays.equals(r.payload, payload)
                && r.arrivalTime() == arrivalTime() && r.sequence() == sequence();
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(payload) * 31 + Long.hashCode(sequence());
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Row{t=").append(eventTime())
                .append(", arrival=").append(arrivalTime())
                .append(", seq=").append(sequence());
        for (int i = 0; i < stream.fields().size(); i++) {
            Object v = get(i);
            sb.append(", ").append(stream.field(i).name()).append('=').append(v instanceof String ? "'" + v + "'" : v);
        }
        return sb.append('}').toString();
    }
}
