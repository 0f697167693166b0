package io.tandem.spi.store;

/**
 * The real-time store cannot be reached for now (a server that is down, a network that is cut); the same call may
 * succeed later. Nothing was lost: the log holds every acknowledged event, and the hot path replays it. Over HTTP
 * this is a 503 with {@code Retry-After}.
 */
public final class StoreUnavailableException extends RuntimeException {

    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
