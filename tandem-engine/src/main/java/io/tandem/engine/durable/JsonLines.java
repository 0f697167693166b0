package io.tandem.engine.durable;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * An append-only file of JSON objects, one per line (UTF-8, {@code \n}-terminated). A batch of lines is written
 * with one write and one fsync before {@link #append} returns; a batch that fails (a full device) is cut off again.
 * On open, a last line without its newline — a write torn by a crash — is cut off, so that the next append starts
 * on a line of its own. {@link #forEach} reads a range of lines by byte offset, a chunk at a time, so that a large
 * file is never held whole in memory.
 */
public final class JsonLines implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(JsonLines.class);
    private static final int CHUNK = 64 * 1024;

    private final Path file;
    private final FileChannel channel;

    private JsonLines(Path file, FileChannel channel) {
        this.file = file;
        this.channel = channel;
    }

    /** Opens (creating it and its folder if needed) and returns the complete lines already there. */
    public static JsonLines open(Path file, List<String> existing) {
        JsonLines lines = open(file);
        forEach(file, 0, lines.size(), (offset, line) -> {
            existing.add(line);
            return true;
        });
        return lines;
    }

    /** Opens (creating it and its folder if needed), cutting off a torn last line, and reads none of its lines. */
    public static JsonLines open(Path file) {
        try {
            Files.createDirectories(file.getParent());
            FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            long size = ch.size();
            long end = lastNewline(ch, size);
            if (end < size) {
                LOG.warn("{}: cutting off a torn last line of {} bytes", file, size - end);
                ch.truncate(end);
                ch.force(true);
            }
            ch.position(end);
            return new JsonLines(file, ch);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open " + file, e);
        }
    }

    /** The offset just after the last {@code \n} before {@code size}, or 0, read backwards a chunk at a time. */
    private static long lastNewline(FileChannel ch, long size) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(CHUNK);
        long to = size;
        while (to > 0) {
            long from = Math.max(0, to - CHUNK);
            buf.clear().limit((int) (to - from));
            while (buf.hasRemaining()) {
                if (ch.read(buf, from + buf.position()) < 0) {
                    throw new EOFException("ends before " + size + " bytes");
                }
            }
            for (int i = (int) (to - from) - 1; i >= 0; i--) {
                if (buf.get(i) == '\n') {
                    return from + i + 1;
                }
            }
            to = from;
        }
        return 0;
    }

    /** The length of the file in bytes: where the next append starts. */
    public synchronized long size() {
        try {
            return channel.position();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the position in " + file, e);
        }
    }

    /** Appends the lines and forces them to disk; answers the offset at which the first one starts. */
    public synchronized long append(List<String> lines) {
        long start = size();
        if (lines.isEmpty()) {
            return start;
        }
        StringBuilder text = new StringBuilder();
        lines.forEach(l -> text.append(l).append('\n'));
        ByteBuffer buf = ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8));
        try {
            while (buf.hasRemaining()) {
                channel.write(buf);
            }
            channel.force(false);
        } catch (IOException e) {
            undo(start, e);
            if (StorageFullException.isFull(e)) {
                throw new StorageFullException(file, lines.size() + " line(s)", e);
            }
            throw new UncheckedIOException("cannot append to " + file, e);
        }
        return start;
    }

    /** Called with each line read and the offset at which it starts; false stops the reading. */
    @FunctionalInterface
    public interface LineVisitor {
        /** One line, without its {@code \n}. */
        boolean line(long offset, String line);
    }

    /**
     * Reads the lines that start in {@code [from, to)} of {@code file} in order, a chunk at a time, and hands each
     * non-blank one to {@code visitor}; {@code from} must be the start of a line and {@code to} the end of one.
     */
    public static void forEach(Path file, long from, long to, LineVisitor visitor) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buf = ByteBuffer.allocate(CHUNK);
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            long at = from;
            long lineStart = from;
            while (at < to) {
                buf.clear().limit((int) Math.min(CHUNK, to - at));
                int n = ch.read(buf, at);
                if (n < 0) {
                    break;
                }
                for (int i = 0; i < n; i++) {
                    byte b = buf.get(i);
                    if (b != '\n') {
                        line.write(b);
                        continue;
                    }
                    String text = line.toString(StandardCharsets.UTF_8);
                    line.reset();
                    if (!text.isBlank() && !visitor.line(lineStart, text)) {
                        return;
                    }
                    lineStart = at + i + 1;
                }
                at += n;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** Cuts off what a failed append wrote, so that the next one starts on a line of its own. */
    private void undo(long start, IOException failure) {
        if (start < 0) {
            return;
        }
        try {
            channel.truncate(start);
            channel.position(start);
        } catch (IOException e) {
            failure.addSuppressed(e);
        }
    }

    @Override
    public synchronized void close() {
        try {
            channel.close();
        } catch (IOException e) {
            LOG.warn("closing {}: {}", file, e.toString());
        }
    }

    /** The lines of {@code file} that parse, in order; a bad line is logged and skipped. */
    public static <T> List<T> parse(Path file, List<String> lines, Function<String, T> parser) {
        List<T> out = new ArrayList<>(lines.size());
        for (int i = 0; i < lines.size(); i++) {
            try {
                out.add(parser.apply(lines.get(i)));
            } catch (IllegalArgumentException e) {
                LOG.warn("{} line {}: skipped: {}", file, i + 1, e.getMessage());
            }
        }
        return out;
    }
}
