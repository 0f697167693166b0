package io.tandem.engine.sql;

/**
 * SQL that {@link SqlService} refuses or that fails: not a single read-only query, a syntax error, a file outside
 * the lake, an unknown table, a time limit hit (HTTP 400); or a query refused because as many as the sandbox runs
 * at once are running already ({@link #busy()}, HTTP 429). The message says which, for the caller to show as it is.
 */
public final class SqlException extends RuntimeException {

    private final boolean busy;

    public SqlException(String message) {
        this(message, false);
    }

    SqlException(String message, boolean busy) {
        super(message);
        this.busy = busy;
    }

    /** Whether the query was refused only because the sandbox is running its most queries at once. */
    public boolean busy() {
        return busy;
    }
}
