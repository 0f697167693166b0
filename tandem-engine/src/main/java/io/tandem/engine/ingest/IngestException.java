package io.tandem.engine.ingest;

/**
 * An ingest request that cannot be taken: unknown stream (404), a body with no events in it (400), an
 * idempotency key already used by another request (422), a hot path too far behind (503), a request of an
 * ordered session whose predecessor did not come (409), or a log whose device is full (507: nothing of the request
 * was appended, and it can be sent again once space is freed).
 */
public final class IngestException extends RuntimeException {

    /** How the HTTP layer answers. */
    public enum Kind { NOT_FOUND, NO_EVENTS, KEY_REUSED, OVERLOADED, OUT_OF_ORDER, INSUFFICIENT_STORAGE }

    private final Kind kind;

    public IngestException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
