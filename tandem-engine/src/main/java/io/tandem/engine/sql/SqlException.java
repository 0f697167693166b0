package io.tandem.engine.sql;

/**
 * SQL that {@link SqlService} refuses or that fails: not a single read-only query, a syntax error, a file outside
 * the lake, an unknown table, a time limit hit. The message says which, for the caller to show as it is (HTTP 400).
 */
public final class SqlException extends RuntimeException {

    public SqlException(String message) {
        super(message);
    }
}
