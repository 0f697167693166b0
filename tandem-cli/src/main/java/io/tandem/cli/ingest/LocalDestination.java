package io.tandem.cli.ingest;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tandem.engine.Tandem;
import io.tandem.engine.ingest.IngestException;
import io.tandem.engine.ingest.IngestResponse;
import io.tandem.engine.ingest.Sequence;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;

/**
 * A Tandem in this process: each request goes to {@link Tandem#ingest(String, byte[], String, Sequence)} as the
 * server would hand it over, so a file replayed into a data directory is stored exactly as one sent over HTTP
 * (same idempotency keys, same ordered session, same answers). A hot path too far behind is waited for. With
 * an {@link EventTimeClock}, the clock is moved to each request's latest event time before it is appended (so
 * requests must then be delivered one at a time).
 */
public final class LocalDestination implements Destination {

    private static final Duration OVERLOADED_WAIT = Duration.ofMillis(50);

    private final Tandem tandem;
    private final EventTimeClock clock;
    private final ObjectMapper mapper = new ObjectMapper();

    /** @param clock the backfill clock Tandem runs on, or null when it runs on the wall clock */
    public LocalDestination(Tandem tandem, EventTimeClock clock) {
        this.tandem = tandem;
        this.clock = clock;
    }

    @Override
    public Delivery deliver(String stream, String key, String sequence, byte[] body, int attempt) {
        if (clock != null) {
            clock.advanceTo(clock.latestEventTime(body));
        }
        try {
            IngestResponse response = tandem.ingest(stream, body, key, Sequence.parse(sequence));
            return new Answered(mapper.readTree(response.json()));
        } catch (IngestException e) {
            return e.kind() == IngestException.Kind.OVERLOADED ? new Retry(OVERLOADED_WAIT, e.getMessage())
                    : new Failed(e.getMessage(), true);
        } catch (IOException e) {
            throw new UncheckedIOException("the ingest answer is not JSON", e);
        }
    }
}
