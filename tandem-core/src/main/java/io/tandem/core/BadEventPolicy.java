package io.tandem.core;

/**
 * What the hot path does with a record of the stream's log that it cannot read or place ({@code on_bad_event}):
 * one written by another schema, or one a measure fails on. Each is counted ({@code tandem_hot_bad_records_total})
 * and logged in any case.
 */
public enum BadEventPolicy {
    /** Leave it out and go on. */
    SKIP,
    /** Leave it out, go on, and keep it with the reason in the stream's dead letters (the default). */
    DEAD_LETTER,
    /** Stop the partition's hot path there: ingest into the stream answers 503 until the process restarts. */
    FAIL;

    /** As the config spells it: {@code skip}, {@code dead_letter}, {@code fail}. */
    public String configName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
