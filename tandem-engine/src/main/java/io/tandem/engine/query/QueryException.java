package io.tandem.engine.query;

/** A query the caller got wrong: unknown view (404) or a bad parameter (400), with the reason. */
public final class QueryException extends RuntimeException {

    private final boolean notFound;

    private QueryException(String message, boolean notFound) {
        super(message);
        this.notFound = notFound;
    }

    public static QueryException notFound(String message) {
        return new QueryException(message, true);
    }

    public static QueryException badRequest(String message) {
        return new QueryException(message, false);
    }

    public boolean notFound() {
        return notFound;
    }
}
