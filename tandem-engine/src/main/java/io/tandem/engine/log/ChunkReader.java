package io.tandem.engine.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/** Large positional reads of one file at a time into a reusable buffer, so records are parsed in place. */
final class ChunkReader {

    private ByteBuffer buf;
    private FileChannel channel;
    /** File position of {@code buf[0]}. */
    private long start;
    /** Valid bytes in {@code buf}. */
    private int length;

    ChunkReader(int size) {
        buf = ByteBuffer.allocate(size);
    }

    /** Switches to another file and forgets what was buffered. */
    void reset(FileChannel file) {
        channel = file;
        length = 0;
    }

    /** Forgets what was buffered, so the next {@link #at} reads the file again. */
    void invalidate() {
        length = 0;
    }

    /** The buffer that {@link #at} indexes into; it may be replaced by a bigger one on each call to {@code at}. */
    ByteBuffer buffer() {
        return buf;
    }

    /**
     * Makes {@code need} bytes from {@code filePos} available in {@link #buffer()}.
     *
     * @return the index of {@code filePos} in the buffer, or -1 when the file ends before {@code need} bytes
     */
    int at(long filePos, int need) throws IOException {
        long relative = filePos - start;
        if (relative >= 0 && relative + need <= length) {
            return (int) relative;
        }
        if (need > buf.capacity()) {
            buf = ByteBuffer.allocate(Math.max(need, buf.capacity() * 2));
        }
        start = filePos;
        length = 0;
        buf.clear();
        while (length < need) {
            int n = channel.read(buf, filePos + length);
            if (n <= 0) {
                return -1;
            }
            length += n;
        }
        return 0;
    }
}
