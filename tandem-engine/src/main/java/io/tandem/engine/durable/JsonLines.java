package io.tandem.engine.durable;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 * On open, a last line without its newline — a write
 * torn by a crash — is cut off, so that the next append starts on a line of its own.
 */
public final class JsonLines implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(JsonLines.class);

    private final Path file;
    private final FileChannel channel;

    private JsonLines(Path file, FileChannel channel) {
        this.file = file;
        this.channel = channel;
    }

    /** Opens (creating it and its folder if needed) and returns the complete lines already there. */
    public static JsonLines open(Path file, List<String> existing) {
        try {
            Files.createDirectories(file.getParent());
            FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            byte[] bytes = Files.readAllBytes(file);
            int end = bytes.length;
            while (end > 0 && bytes[end - 1] != '\n') {
                end--;
            }
            if (end < bytes.length) {
                LOG.warn("{}: cutting off a torn last line of {} bytes", file, bytes.length - end);
                ch.truncate(end);
                ch.force(true);
            }
            String text = new String(bytes, 0, end, StandardCharsets.UTF_8);
            for (String line : text.split("\n")) {
                if (!line.isBlank()) {
                    existing.add(line);
                }
            }
            ch.position(end);
            return new JsonLines(file, ch);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open " + file, e);
        }
    }

    /** Appends the lines and forces them to disk. */
    public synchronized void append(List<String> lines) {
        if (lines.isEmpty()) {
            return;
        }
        StringBuilder text = new StringBuilder();
        lines.forEach(l -> text.append(l).append('\n'));
        ByteBuffer buf = ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8));
        long start = -1;
        try {
            start = channel.position();
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
