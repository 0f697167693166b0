package io.tandem.engine.ingest;

/** An ingest request that cannot be taken: unknown stream (404) or a hot path too far behind (503). */
public final class IngestException extends RuntimeException {

    /** How the HTTP layer answers. */
    public enum Kind { NOT_FOUND, OVERLOADED }

    private final Kind kind;

    public IngestException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
