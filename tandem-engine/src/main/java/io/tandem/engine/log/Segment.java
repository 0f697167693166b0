package io.tandem.engine.log;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.regex.Pattern;

/** One segment file of a partition: the records from {@code base} up to the next segment's base. */
final class Segment {

    private static final Pattern NAME = Pattern.compile("\\d{20}\\.log");

    final long base;
    final Path path;
    final FileChannel channel;
    /** Set once retention removed the segment; a reader positioned in it must seek again. */
    volatile boolean deleted;

    Segment(long base, Path path, FileChannel channel) {
        this.base = base;
        this.path = path;
        this.channel = channel;
    }

    static String fileName(long base) {
        return String.format("%020d.log", base);
    }

    /** The base offset a segment file name stands for, or -1 when the name is not a segment's. */
    static long baseOf(String fileName) {
        return NAME.matcher(fileName).matches() ? Long.parseLong(fileName, 0, 20, 10) : -1;
    }

    void close() throws IOException {
        channel.close();
    }

    @Override
    public String toString() {
        return path.toString();
    }
}
