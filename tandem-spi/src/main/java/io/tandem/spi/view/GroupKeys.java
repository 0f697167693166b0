package io.tandem.spi.view;

import io.tandem.core.GroupKey;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The binary form of a {@link GroupKey}, shared by the files that store accumulators by group:
 * <pre>
 * +-------------+-------------------------------------------------------------------------------+
 * | count: u8   | per value: tag u8 — 0 null, 1 string (DataOutput.writeUTF), 2 long (i64),      |
 * |             | 3 double (f64), 4 boolean (u8), 5 long string (length i32, then UTF-8 bytes)   |
 * +-------------+-------------------------------------------------------------------------------+
 * </pre>
 * A string of at most {@value #SHORT_STRING} characters, which {@code writeUTF} can always hold (at most 3 bytes a
 * character, 65,535 in all), is written as tag 1; a longer one as tag 5, so no string value breaks a checkpoint or
 * a batch view file, and files written before tag 5 existed read the same.
 */
public final class GroupKeys {

    static final int SHORT_STRING = 65_535 / 3;

    private GroupKeys() {
    }

    public static void write(GroupKey key, DataOutput out) throws IOException {
        out.writeByte(key.size());
        for (int i = 0; i < key.size(); i++) {
            Object v = key.get(i);
            if (v == null) {
                out.writeByte(0);
            } else if (v instanceof String str && str.length() <= SHORT_STRING) {
                out.writeByte(1);
                out.writeUTF(str);
            } else if (v instanceof String str) {
                byte[] utf8 = str.getBytes(StandardCharsets.UTF_8);
                out.writeByte(5);
                out.writeInt(utf8.length);
                out.write(utf8);
            } else if (v instanceof Long l) {
                out.writeByte(2);
                out.writeLong(l);
            } else if (v instanceof Double d) {
                out.writeByte(3);
                out.writeDouble(d);
            } else {
                out.writeByte(4);
                out.writeBoolean((Boolean) v);
            }
        }
    }

    public static GroupKey read(DataInput in) throws IOException {
        int n = in.readUnsignedByte();
        Object[] values = new Object[n];
        for (int i = 0; i < n; i++) {
            int tag = in.readUnsignedByte();
            values[i] = switch (tag) {
                case 0 -> null;
                case 1 -> in.readUTF();
                case 2 -> in.readLong();
                case 3 -> in.readDouble();
                case 4 -> in.readBoolean();
                case 5 -> readLongString(in);
                default -> throw new EOFException("bad dimension tag " + tag);
            };
        }
        return GroupKey.of(values);
    }

    private static String readLongString(DataInput in) throws IOException {
        int length = in.readInt();
        if (length < 0) {
            throw new EOFException("bad long string length " + length);
        }
        byte[] utf8 = new byte[length];
        in.readFully(utf8);
        return new String(utf8, StandardCharsets.UTF_8);
    }
}
