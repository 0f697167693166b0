package io.tandem.cli.ingest;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * What one {@link IngestClient#send} did.
 *
 * @param input    the file's name, or {@code -} for standard input
 * @param lines    the events read from the file (blank lines aside)
 * @param accepted events the server accepted
 * @param rejected events the server rejected, plus CSV rows that could not be converted
 * @param errors   the first rejections by file line number (at most {@link #MAX_ERRORS})
 * @param failures requests that failed (no connection, an unexpected status, an unreadable file); the send stops at
 *                 the first one, so events after it were not sent; not part of {@link #summary()}
 * @param elapsed  wall-clock time of the send
 */
public record IngestResult(String input, String stream, long lines, long accepted, long rejected,
                           List<LineError> errors, List<String> failures, Duration elapsed) {

    /** How many rejections a result keeps. */
    public static final int MAX_ERRORS = 10;

    /** One rejected event: its line in the file (1-based) and the server's reason. */
    public record LineError(long line, String error) {
    }

    public IngestResult {
        errors = List.copyOf(errors);
        failures = List.copyOf(failures);
    }

    /** True when every event was accepted. */
    public boolean ok() {
        return rejected == 0 && failures.isEmpty() && accepted == lines;
    }

    /** Events read but neither accepted nor rejected, because a request failed. */
    public long notSent() {
        return Math.max(0, lines - accepted - rejected);
    }

    /** Accepted events per second of wall-clock time. */
    public double eventsPerSecond() {
        double seconds = elapsed.toNanos() / 1e9;
        return seconds > 0 ? accepted / seconds : 0;
    }

    /** A few lines for a person: counts, speed, the first errors with their line numbers, the events not sent. */
    public String summary() {
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "%s -> stream %s: %,d accepted, %,d rejected in %.1f s (%,.0f events/s)%n",
                input, stream, accepted, rejected, elapsed.toNanos() / 1e9, eventsPerSecond()));
        if (!errors.isEmpty()) {
            s.append(rejected > errors.size()
                    ? String.format(Locale.ROOT, "first %d of %,d errors:%n", errors.size(), rejected)
                    : "errors:" + System.lineSeparator());
            for (LineError e : errors) {
                s.append("  line ").append(e.line()).append(": ").append(e.error()).append(System.lineSeparator());
            }
        }
        if (notSent() > 0) {
            s.append(String.format(Locale.ROOT, "%,d events not sent%n", notSent()));
        }
        return s.toString();
    }
}
