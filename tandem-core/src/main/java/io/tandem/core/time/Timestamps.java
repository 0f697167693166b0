package io.tandem.core.time;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/** Timestamps as users write them: ISO-8601 (with a zone or offset, or a bare date) or epoch milliseconds. */
public final class Timestamps {

    private Timestamps() {
    }

    /**
     * Parses ISO-8601 ({@code 2026-11-26T10:05:00Z}, {@code 2026-11-26T10:05:00+01:00}, {@code 2026-11-26}) or
     * an integer of epoch milliseconds.
     *
     * @throws IllegalArgumentException naming the value when it is neither, or when it is outside what a long of
     *                                  epoch milliseconds holds (about 292 million years either side of 1970;
     *                                  its cause is then an {@link ArithmeticException})
     */
    public static long parse(String text) {
        String s = text == null ? "" : text.trim();
        boolean integral = !s.isEmpty() && (Character.isDigit(s.charAt(0)) || s.charAt(0) == '-')
                && s.chars().skip(1).allMatch(Character::isDigit);
        if (integral) {
            try {
                return Long.parseLong(s);
            } catch (NumberFormatException e) {
                if (s.length() > 1) {
                    throw outOfRange(text, new ArithmeticException("long overflow"));
                }
                throw new IllegalArgumentException("expected epoch milliseconds, got \"" + text + "\"");
            }
        }
        try {
            return parseIso(s);
        } catch (ArithmeticException e) {
            throw outOfRange(text, e);
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("expected an ISO-8601 timestamp (2026-11-26T10:05:00Z) "
                    + "or epoch milliseconds, got \"" + text + "\"");
        }
    }

    private static IllegalArgumentException outOfRange(String text, ArithmeticException cause) {
        return new IllegalArgumentException("timestamp \"" + text + "\" is out of range (epoch milliseconds must fit "
                + "a long: " + format(Long.MIN_VALUE) + " .. " + format(Long.MAX_VALUE) + ")", cause);
    }

    private static long parseIso(String s) {
        try {
            return Instant.parse(s).toEpochMilli();
        } catch (DateTimeParseException e) {
            try {
                return OffsetDateTime.parse(s).toInstant().toEpochMilli();
            } catch (DateTimeParseException e2) {
                return LocalDate.parse(s).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
            }
        }
    }

    /** ISO-8601 in UTC, e.g. {@code 2026-11-26T10:05:00Z}. */
    public static String format(long epochMs) {
        return Instant.ofEpochMilli(epochMs).toString();
    }

    /** The start of the bucket of width {@code granularityMs} that holds {@code t}: floor, also before 1970. */
    public static long bucketStart(long t, long granularityMs) {
        return Math.floorDiv(t, granularityMs) * granularityMs;
    }
}
