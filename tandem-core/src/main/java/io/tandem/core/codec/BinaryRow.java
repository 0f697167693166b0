package io.tandem.core.codec;

import io.tandem.core.Row;

import java.nio.charset.StandardCharsets;

/** A {@link Row} read in place from a payload in {@link RowCodec}'s format; reset for each event. */
public final class BinaryRow implements Row {

    private final RowCodec codec;
    private final int[] offsets;
    private final int[] lengths;
    private byte[] buf;
    private int bitmap;
    private long eventTime;
    private long arrivalTime;
    private long sequence;

    BinaryRow(RowCodec codec) {
        this.codec = codec;
        this.offsets = new int[codec.fieldCount()];
        this.lengths = new int[codec.fieldCount()];
    }

    /**
     * Points this row at the payload {@code buf[offset ..]}.
     *
     * @throws IllegalArgumentException when the payload is shorter than its layout says
     */
    public BinaryRow reset(byte[] buf, int offset, int length, long arrivalTime, long sequence) {
        this.buf = buf;
        this.arrivalTime = arrivalTime;
        this.sequence = sequence;
        int end = offset + length;
        this.eventTime = readLong(offset);
        this.bitmap = offset + 8;
        int pos = bitmap + codec.bitmapBytes();
        for (int i = 0; i < offsets.length; i++) {
            if (isNull(i)) {
                offsets[i] = -1;
                continue;
            }
            switch (codec.type(i)) {
                case LONG, TIMESTAMP, DOUBLE -> {
                    offsets[i] = pos;
                    pos += 8;
                }
                case BOOLEAN -> {
                    offsets[i] = pos;
                    pos += 1;
                }
                case STRING -> {
                    int n = 0;
                    int shift = 0;
                    byte b;
                    do {
                        b = buf[pos++];
                        n |= (b & 0x7F) << shift;
                        shift += 7;
                    } while (b < 0);
                    offsets[i] = pos;
                    lengths[i] = n;
                    pos += n;
                }
                default -> throw new IllegalStateException(codec.type(i).toString());
            }
        }
        if (pos > end) {
            throw new IllegalArgumentException("payload of " + length + " bytes is shorter than its layout ("
                    + (pos - offset) + ")");
        }
        return this;
    }

    private long readLong(int at) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (buf[at + i] & 0xFFL);
        }
        return v;
    }

    @Override
    public long eventTime() {
        return eventTime;
    }

    @Override
    public long arrivalTime() {
        return arrivalTime;
    }

    @Override
    public long sequence() {
        return sequence;
    }

    @Override
    public boolean isNull(int field) {
        return (buf[bitmap + (field >>> 3)] & (1 << (field & 7))) != 0;
    }

    @Override
    public long getLong(int field) {
        return readLong(offsets[field]);
    }

    @Override
    public double getDouble(int field) {
        return Double.longBitsToDouble(readLong(offsets[field]));
    }

    @Override
    public boolean getBoolean(int field) {
        return buf[offsets[field]] != 0;
    }

    @Override
    public String getString(int field) {
        return new String(buf, offsets[field], lengths[field], StandardCharsets.UTF_8);
    }

    @Override
    public double getNumber(int field) {
        return switch (codec.type(field)) {
            case DOUBLE -> getDouble(field);
            case LONG, TIMESTAMP -> getLong(field);
            default -> throw new IllegalArgumentException("field " + field + " is not numeric");
        };
    }

    /** Any field as a Java value (String, Long, Double, Boolean) or null. */
    public Object get(int field) {
        if (isNull(field)) {
            return null;
        }
        return switch (codec.type(field)) {
            case STRING -> getString(field);
            case LONG, TIMESTAMP -> getLong(field);
            case DOUBLE -> getDouble(field);
            case BOOLEAN -> getBoolean(field);
        };
    }
}
