package io.tandem.engine.lake;

import static java.nio.file.StandardCopyOption.ATOMIC_MOVE;
import static java.nio.file.StandardCopyOption.REPLACE_EXISTING;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Files that appear atomically: written under a temp name, fsynced, renamed into place, directory fsynced. */
final class Durable {

    private Durable() {
    }

    /** The hidden temp name a file is written under before {@link #publish}: readers of the lake skip it. */
    static Path tempFor(Path file) {
        return file.resolveSibling("." + file.getFileName() + ".tmp");
    }

    static boolean isTemp(Path file) {
        String name = file.getFileName().toString();
        return name.startsWith(".") && name.endsWith(".tmp");
    }

    /** Makes the finished temp file durable and moves it to {@code file}, replacing what was there. */
    static void publish(Path temp, Path file) throws IOException {
        try (FileChannel c = FileChannel.open(temp, StandardOpenOption.WRITE)) {
            c.force(true);
        }
        Files.move(temp, file, ATOMIC_MOVE, REPLACE_EXISTING);
        fsyncDirectory(file.getParent());
    }

    /** Writes {@code bytes} to {@code file} atomically and durably. */
    static void write(Path file, byte[] bytes) throws IOException {
        Path temp = tempFor(file);
        Files.write(temp, bytes);
        publish(temp, file);
    }

    /** Creates a directory (and its parents) and makes its entry durable. */
    static void createDirectory(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir);
            fsyncDirectory(dir.getParent());
        }
    }

    static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }
}
