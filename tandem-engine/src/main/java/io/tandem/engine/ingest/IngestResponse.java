package io.tandem.engine.ingest;

import java.util.List;

/**
 * What an ingest request did: how many records were accepted (and are durable) and why the others were rejected.
 *
 * @param json the response body, exactly as first sent (a retried request with the same idempotency key gets it)
 */
public record IngestResponse(long accepted, long rejected, List<RecordError> errors, String json) {

    /** A rejected record: its 1-based line (NDJSON) or 0-based index (JSON array), and the reason. */
    public record RecordError(String position, int at, String error) {
    }
}
