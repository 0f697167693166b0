package io.tandem.core.measure;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/** The length prefix of a serialized sketch: an i32 big-endian byte count, then the bytes. */
final class Sketches {

    /** Far above any sketch these measures build (a KLL sketch of k = 200 stays under a few KiB). */
    private static final int MAX_BYTES = 1 << 24;

    private Sketches() {
    }

    static void writeBytes(byte[] bytes, DataOutput out) throws IOException {
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    static byte[] readBytes(DataInput in) throws IOException {
        int length = in.readInt();
        if (length < 0 || length > MAX_BYTES) {
            throw new IOException("bad sketch length " + length);
        }
        byte[] bytes = new byte[length];
        in.readFully(bytes);
        return bytes;
    }
}
