package io.tandem.engine.report;

/** A report run that cannot happen, with the reason and what kind of failure it is (for the HTTP status). */
public final class ReportException extends RuntimeException {

    /** What went wrong. */
    public enum Kind {
        /** No report of that name (404). */
        UNKNOWN_REPORT,
        /** The period is not written the way the schedule needs (400). */
        BAD_PERIOD,
        /** The batch does not cover every epoch that can hold events of the period yet (409). */
        NOT_COVERED,
        /** The report's SQL was refused or failed (400: the configuration needs fixing). */
        QUERY_FAILED
    }

    private final Kind kind;

    public ReportException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
