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
        return (long) RowCodec.LONG_BE.get(buf, at);
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

    /** How many bytes {@link #copyRaw} writes for this field of this row. */
    public int rawLength(int field) {
        if (offsets[field] < 0) {
            return 1;
        }
        return switch (codec.type(field)) {
            case LONG, TIMESTAMP, DOUBLE -> 9;
            case BOOLEAN -> 2;
            case STRING -> 5 + lengths[field];
        };
    }

    /**
     * Writes the field's value in a raw form to {@code dst} at {@code at}, and answers the position after it: a
     * presence byte, then the encoded value (a string with its length first). Two rows' values of a field are equal
     * exactly when their raw forms are, so a raw form can stand for the value in a lookup without decoding it.
     */
    public int copyRaw(int field, byte[] dst, int at) {
        int from = offsets[field];
        if (from < 0) {
            dst[at] = 0;
            return at + 1;
        }
        dst[at++] = 1;
        int n;
        switch (codec.type(field)) {
            case LONG, TIMESTAMP, DOUBLE -> n = 8;
            case BOOLEAN -> n = 1;
            default -> {
                n = lengths[field];
                dst[at++] = (byte) (n >>> 24);
                dst[at++] = (byte) (n >>> 16);
                dst[at++] = (byte) (n >>> 8);
                dst[at++] = (byte) n;
            }
        }
        System.arraycopy(buf, from, dst, at, n);
        return at + n;
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
