package io.tandem.engine.durable;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * A write that found no space left on the device (or the quota used up) and was undone: nothing of it stays, and
 * the same write can be tried again once space is freed. Ingest answers it with 507 Insufficient Storage.
 */
public final class StorageFullException extends UncheckedIOException {

    private final Path path;

    public StorageFullException(Path path, String what, IOException cause) {
        super("no space left on the device of " + path + ": " + what + " could not be written (" + cause.getMessage()
                + "); it can be sent again once space is freed", cause);
        this.path = path;
    }

    /** The file that could not grow. */
    public Path path() {
        return path;
    }

    /** Whether {@code e}, or one of its causes, says the device is full (ENOSPC) or the quota used up (EDQUOT). */
    public static boolean isFull(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t.getMessage();
            if (m != null && (m.contains("No space left on device") || m.contains("Disk quota exceeded"))) {
                return true;
            }
        }
        return false;
    }
}
