package io.tandem.engine.durable;

import static java.nio.file.StandardCopyOption.ATOMIC_MOVE;
import static java.nio.file.StandardCopyOption.REPLACE_EXISTING;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Files that appear atomically: written under a temp name, fsynced, renamed into place, directory fsynced. */
public final class Durable {

    private Durable() {
    }

    /** The hidden temp name a file is written under before {@link #publish}: readers (Spark, pyarrow) skip it. */
    public static Path tempFor(Path file) {
        return file.resolveSibling("." + file.getFileName() + ".tmp");
    }

    public static boolean isTemp(Path file) {
        String name = file.getFileName().toString();
        return name.startsWith(".") && name.endsWith(".tmp");
    }

    /** Makes the finished temp file durable and moves it to {@code file}, replacing what was there. */
    public static void publish(Path temp, Path file) throws IOException {
        try (FileChannel c = FileChannel.open(temp, StandardOpenOption.WRITE)) {
            c.force(true);
        }
        Files.move(temp, file, ATOMIC_MOVE, REPLACE_EXISTING);
        fsyncDirectory(file.getParent());
    }

    /** Writes {@code bytes} to {@code file} atomically and durably. */
    public static void write(Path file, byte[] bytes) throws IOException {
        Path temp = tempFor(file);
        Files.write(temp, bytes);
        publish(temp, file);
    }

    /** Creates a directory (and its parents) and makes its entry durable. */
    public static void createDirectory(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir);
            fsyncDirectory(dir.getParent());
        }
    }

    public static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }
}
