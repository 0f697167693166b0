package io.tandem.engine.batchview;

import io.tandem.spi.batch.BatchVersion;

import java.util.function.Function;

/** Gives readers the current batch version, and keeps the real-time entries it needs while they read. */
public interface BatchViews {

    /**
     * Runs {@code reader} with the current version. Until it returns, the real-time entries of epochs after that
     * version's boundary stay in the real-time store, even if a newer version is published meanwhile.
     */
    <T> T read(Function<BatchVersion, T> reader);
}
