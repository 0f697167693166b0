package io.tandem.engine.search;

/** A search the caller got wrong: an unknown index (404) or a bad query or parameter (400), with the reason. */
public final class SearchException extends RuntimeException {

    private final boolean notFound;

    private SearchException(String message, boolean notFound) {
        super(message);
        this.notFound = notFound;
    }

    static SearchException notFound(String message) {
        return new SearchException(message, true);
    }

    static SearchException badRequest(String message) {
        return new SearchException(message, false);
    }

    public boolean notFound() {
        return notFound;
    }
}
