package io.tandem.core.codec;

import io.tandem.core.FieldType;
import io.tandem.core.StreamDef;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The binary form of one event of a stream: what the log stores as a record's payload.
 *
 * <pre>
 * +------------------+---------------------+------------------------------------------------------+
 * | event time: i64  | null bitmap         | the non-null fields, in declaration order             |
 * | epoch ms, big-   | ceil(n / 8) bytes;  |   long, timestamp: i64 big-endian                      |
 * | endian           | bit (i % 8) of byte |   double: IEEE 754 bits as i64 big-endian              |
 * |                  | i / 8 set: field i  |   boolean: u8, 0 or 1                                  |
 * |                  | is null             |   string: length as unsigned LEB128 varint, then UTF-8 |
 * +------------------+---------------------+------------------------------------------------------+
 * </pre>
 *
 * n is the number of fields the stream declares. The layout is positional, so a payload is read back with the
 * same stream definition that wrote it.
 */
public final class RowCodec {

    /** Reads and writes a big-endian long at any byte offset of an array. */
    static final VarHandle LONG_BE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private final FieldType[] types;
    private final int bitmapBytes;

    public RowCodec(StreamDef stream) {
        this.types = stream.fields().stream().map(f -> f.type()).toArray(FieldType[]::new);
        this.bitmapBytes = (types.length + 7) / 8;
    }

    public int fieldCount() {
        return types.length;
    }

    FieldType type(int field) {
        return types[field];
    }

    int bitmapBytes() {
        return bitmapBytes;
    }

    /** A reusable builder of payloads. Not thread-safe: one per thread. */
    public Builder builder() {
        return new Builder();
    }

    /** A reusable reader of payloads. Not thread-safe: one per thread. */
    public BinaryRow reader() {
        return new BinaryRow(this);
    }

    /** Collects one event's values, then encodes them. Call {@link #reset} before each event. */
    public final class Builder {
        private final long[] bits = new long[types.length];
        private final String[] strings = new String[types.length];
        private final boolean[] present = new boolean[types.length];
        private long eventTime;
        private byte[] buf = new byte[64];
        private int pos;

        public Builder reset(long eventTimeMs) {
            Arrays.fill(present, false);
            Arrays.fill(strings, null);
            this.eventTime = eventTimeMs;
            return this;
        }

        public Builder setLong(int field, long value) {
            bits[field] = value;
            present[field] = true;
            return this;
        }

        public Builder setDouble(int field, double value) {
            bits[field] = Double.doubleToRawLongBits(value);
            present[field] = true;
            return this;
        }

        public Builder setBoolean(int field, boolean value) {
            bits[field] = value ? 1 : 0;
            present[field] = true;
            return this;
        }

        public Builder setString(int field, String value) {
            strings[field] = value;
            present[field] = value != null;
            return this;
        }

        /** The encoded payload as a new array. */
        public byte[] encode() {
            pos = 0;
            putLong(eventTime);
            ensure(bitmapBytes);
            Arrays.fill(buf, pos, pos + bitmapBytes, (byte) 0);
            int bitmap = pos;
            pos += bitmapBytes;
            for (int i = 0; i < types.length; i++) {
                if (!present[i]) {
                    buf[bitmap + (i >>> 3)] |= (byte) (1 << (i & 7));
                    continue;
                }
                switch (types[i]) {
                    case LONG, TIMESTAMP, DOUBLE -> putLong(bits[i]);
                    case BOOLEAN -> {
                        ensure(1);
                        buf[pos++] = (byte) bits[i];
                    }
                    case STRING -> putString(strings[i]);
                    default -> throw new IllegalStateException(types[i].toString());
                }
            }
            return Arrays.copyOf(buf, pos);
        }

        private void putLong(long v) {
            ensure(8);
            LONG_BE.set(buf, pos, v);
            pos += 8;
        }

        private void putString(String s) {
            byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
            ensure(5 + utf8.length);
            int n = utf8.length;
            while ((n & ~0x7F) != 0) {
                buf[pos++] = (byte) ((n & 0x7F) | 0x80);
                n >>>= 7;
            }
            buf[pos++] = (byte) n;
            System.arraycopy(utf8, 0, buf, pos, utf8.length);
            pos += utf8.length;
        }

        private void ensure(int more) {
            if (pos + more > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + more));
            }
        }
    }
}
