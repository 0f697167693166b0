package io.tandem.engine.ingest;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Lets the requests of each ordered session ({@link Sequence}) append one at a time, in the order of their
 * numbers. A request waits for its turn up to {@link #WAIT_MS} (30 s); a number already past is a retry of a request
 * that had its turn, and goes through at once (its idempotency key makes that safe). A turn moves on once the
 * request has its final answer (appended, or refused for what it holds: no event, a reused key), not when it
 * could not be taken now (the log failed, the hot path is behind): the sender retries that number. Sessions idle
 * for {@link #IDLE_MS} are forgotten. Both times are real time, not Tandem's clock, which a backfill moves along the
 * events' history (an hour of it between two requests).
 */
final class Sequencer {

    static final long WAIT_MS = 30_000;
    static final long IDLE_MS = 600_000;

    private final long waitMs;
    private final Map<String, Turn> turns = new ConcurrentHashMap<>();
    private long lastSweep = nowMs();

    Sequencer() {
        this(WAIT_MS);
    }

    /** @param waitMs how long a request waits for the one before it */
    Sequencer(long waitMs) {
        this.waitMs = waitMs;
    }

    private static long nowMs() {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime());
    }

    /** One session's next number and when it was last used. */
    private static final class Turn {
        long next;
        long usedMs;
    }

    /**
     * Runs {@code append} in the session's order.
     *
     * @throws IngestException ({@link IngestException.Kind#OUT_OF_ORDER}) when an earlier number does not come
     */
    <T> T inTurn(String stream, Sequence seq, Supplier<T> append) {
        sweep();
        Turn turn = turns.computeIfAbsent(stream + "/" + seq.session(), k -> new Turn());
        synchronized (turn) {
            turn.usedMs = nowMs();
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMs);
            while (seq.n() > turn.next) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IngestException(IngestException.Kind.OUT_OF_ORDER, "Tandem-Sequence: request " + seq.n()
                            + " of session '" + seq.session() + "' waited " + waitMs + " ms for request "
                            + turn.next + ", which has not come; send the requests of a session from 0, each number"
                            + " once (a retry repeats its number)");
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(turn, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IngestException(IngestException.Kind.OVERLOADED, "interrupted while waiting for "
                            + "request " + turn.next + " of session '" + seq.session() + "'");
                }
            }
            if (seq.n() < turn.next) {
                return append.get();
            }
            try {
                T result = append.get();
                advance(turn);
                return result;
            } catch (IngestException e) {
                if (e.kind() == IngestException.Kind.NO_EVENTS || e.kind() == IngestException.Kind.KEY_REUSED) {
                    advance(turn);
                }
                throw e;
            }
        }
    }

    private void advance(Turn turn) {
        turn.next++;
        turn.usedMs = nowMs();
        turn.notifyAll();
    }

    private synchronized void sweep() {
        long now = nowMs();
        if (now - lastSweep < IDLE_MS) {
            return;
        }
        lastSweep = now;
        turns.values().removeIf(t -> {
            synchronized (t) {
                return now - t.usedMs > IDLE_MS;
            }
        });
    }
}
