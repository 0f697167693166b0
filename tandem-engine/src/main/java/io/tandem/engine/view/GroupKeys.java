package io.tandem.engine.view;

import io.tandem.core.GroupKey;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.EOFException;
import java.io.IOException;

/**
 * The binary form of a {@link GroupKey}, shared by the files that store accumulators by group:
 * <pre>
 * +-------------+-------------------------------------------------------------------------------+
 * | count: u8   | per value: tag u8 — 0 null, 1 string (DataOutput.writeUTF), 2 long (i64),      |
 * |             | 3 double (f64), 4 boolean (u8)                                                |
 * +-------------+-------------------------------------------------------------------------------+
 * </pre>
 */
public final class GroupKeys {

    private GroupKeys() {
    }

    public static void write(GroupKey key, DataOutput out) throws IOException {
        out.writeByte(key.size());
        for (int i = 0; i < key.size(); i++) {
            Object v = key.get(i);
            if (v == null) {
                out.writeByte(0);
            } else if (v instanceof String str) {
                out.writeByte(1);
                out.writeUTF(str);
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
                default -> throw new EOFException("bad dimension tag " + tag);
            };
        }
        return GroupKey.of(values);
    }
}
