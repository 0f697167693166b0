package io.tandem.cli.ingest;

import io.tandem.core.StreamDef;
import io.tandem.core.codec.BinaryRow;
import io.tandem.core.codec.JsonEvents;
import io.tandem.core.codec.RowCodec;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The clock of a backfill ({@code tandem replay --epoch-from event-time}): the latest event time read so far, so
 * that the log stamps each request's events with an arrival at or after their event times and the lake files them
 * under the epochs of their history. It never goes back; it starts at the first request's latest event time.
 * {@link #release} hands over to the wall clock (never going back either) once the files are in.
 */
public final class EventTimeClock implements LongSupplier {

    private final StreamDef stream;
    private final AtomicLong time;
    private volatile boolean wall;

    private EventTimeClock(StreamDef stream, long startMs) {
        this.stream = stream;
        this.time = new AtomicLong(startMs);
    }

    /**
     * A clock at the latest event time of the first request of {@code first}, which a backfill starts with.
     *
     * @throws IOException when the file cannot be read, or its first request holds no valid event time
     */
    public static EventTimeClock startingAt(EventInput first, StreamDef stream, int batchLines) throws IOException {
        EventTimeClock clock = new EventTimeClock(stream, Long.MIN_VALUE);
        long start = Long.MIN_VALUE;
        try (EventFile events = EventFile.open(first, batchLines)) {
            EventFile.Batch batch = events.next(0);
            if (batch != null) {
                start = clock.latestEventTime(batch.body());
            }
        }
        if (start == Long.MIN_VALUE) {
            throw new IOException(first.name() + ": its first " + batchLines + " events hold no valid '"
                    + stream.timeField() + "' of stream '" + stream.name() + "' to start the backfill's clock at");
        }
        clock.time.set(Math.min(start, System.currentTimeMillis()));
        return clock;
    }

    /**
     * The latest event time of an NDJSON request of the stream, as ingest will read it.
     *
     * @return {@link Long#MIN_VALUE} when it holds no valid event
     */
    public long latestEventTime(byte[] body) {
        JsonEvents.Result parsed = new JsonEvents(stream).parse(body, Long.MAX_VALUE / 2);
        BinaryRow row = new RowCodec(stream).reader();
        long latest = Long.MIN_VALUE;
        for (byte[] payload : parsed.accepted()) {
            row.reset(payload, 0, payload.length, 0, 0);
            latest = Math.max(latest, row.eventTime());
        }
        return latest;
    }

    /**
     * Moves the clock to {@code ms} if that is later, but never past the wall clock: an event from the future is
     * for ingest's {@code max_future} to judge, not a reason to stamp everything after it in the future.
     */
    public void advanceTo(long ms) {
        time.accumulateAndGet(Math.min(ms, System.currentTimeMillis()), Math::max);
    }

    /** From now on the wall clock, or the latest event time if that is later still. */
    public void release() {
        wall = true;
    }

    @Override
    public long getAsLong() {
        return wall ? time.accumulateAndGet(System.currentTimeMillis(), Math::max) : time.get();
    }
}
