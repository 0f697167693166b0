package io.tandem.core;

/** What ingest does with a JSON property the stream does not declare. */
public enum UnknownFields {
    /** Drop the property and accept the record. */
    IGNORE,
    /** Reject the record, naming the property. */
    REJECT
}
