package io.tandem.core;

import java.util.Map;

/** A whole validated {@code tandem.yaml}: the streams and the views over them. */
public record TandemConfig(long epochMs, Map<String, StreamDef> streams, Map<String, ViewDef> views) {

    public static final long DEFAULT_EPOCH_MS = 3_600_000L;
    public static final long DEFAULT_LATENESS_MS = 5_000L;

    public TandemConfig {
        streams = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(streams));
        views = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(views));
    }

    /** The epoch an arrival time falls in: {@code floor(arrivalMs / epochMs)}. */
    public long epochOf(long arrivalMs) {
        return Math.floorDiv(arrivalMs, epochMs);
    }
}
