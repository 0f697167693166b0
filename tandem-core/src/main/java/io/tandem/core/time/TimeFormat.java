package io.tandem.core.time;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoField;
import java.time.temporal.TemporalAccessor;
import java.time.temporal.TemporalQueries;
import java.util.Locale;
import java.util.Objects;

/**
 * How a stream's events write their event time ({@code time: {field, format, zone}}), read into epoch
 * milliseconds. The default reads what {@link Timestamps#parse} reads: ISO-8601 text or epoch milliseconds.
 *
 * <ul>
 *   <li>{@code iso8601}: ISO-8601 text only ({@code 2026-11-26T10:05:00Z}, with an offset, or a bare date);</li>
 *   <li>{@code epoch_s}, {@code epoch_ms}, {@code epoch_us}, {@code epoch_ns}: a number (or a string of one) of
 *       seconds, milliseconds, microseconds or nanoseconds since 1970; decimals are read exactly and cut to the
 *       millisecond toward the past ({@code 1700000000.9999} s is {@code ...000999} ms);</li>
 *   <li>a {@link DateTimeFormatter} pattern ({@code "yyyy-MM-dd HH:mm:ss.SSS"}), read in {@code zone} (default
 *       UTC) unless the pattern has a zone or offset of its own; a pattern with a date and no time reads
 *       midnight.</li>
 * </ul>
 *
 * @param name the format as configured ({@code default} when none was)
 */
public record TimeFormat(String name, Kind kind, DateTimeFormatter pattern, ZoneId zone) {

    /** The formats named by a word; anything else is a pattern. */
    public enum Kind { DEFAULT, ISO8601, EPOCH_S, EPOCH_MS, EPOCH_US, EPOCH_NS, PATTERN }

    /** ISO-8601 text or epoch milliseconds, as every timestamp elsewhere in Tandem. */
    public static final TimeFormat DEFAULT = new TimeFormat("default", Kind.DEFAULT, null, ZoneId.of("UTC"));

    /** The names {@link #of} knows, for error messages. */
    public static final String NAMES = "iso8601, epoch_s, epoch_ms, epoch_us, epoch_ns or a DateTimeFormatter "
            + "pattern like \"yyyy-MM-dd HH:mm:ss\"";

    /** The instant a pattern must format and read back exactly to its precision: 2026-11-26T10:05:07.123Z. */
    public static final Instant SAMPLE = Instant.parse("2026-11-26T10:05:07.123Z");

    /**
     * The format of a name or pattern, in a zone.
     *
     * @throws IllegalArgumentException naming the value when it is neither a known name nor a pattern that reads a
     *                                  date back from the text it writes for {@link #SAMPLE}
     */
    public static TimeFormat of(String format, ZoneId zone) {
        String word = format.trim().toLowerCase(Locale.ROOT);
        Kind kind = switch (word) {
            case "iso8601", "iso_8601", "iso" -> Kind.ISO8601;
            case "epoch_s" -> Kind.EPOCH_S;
            case "epoch_ms" -> Kind.EPOCH_MS;
            case "epoch_us" -> Kind.EPOCH_US;
            case "epoch_ns" -> Kind.EPOCH_NS;
            default -> Kind.PATTERN;
        };
        if (kind != Kind.PATTERN) {
            return new TimeFormat(format, kind, null, zone);
        }
        if (word.matches("[a-z_]+") && word.contains("_")) {
            throw new IllegalArgumentException("expected " + NAMES + ", got \"" + format + "\"");
        }
        DateTimeFormatter pattern;
        try {
            pattern = DateTimeFormatter.ofPattern(format, Locale.ROOT).withZone(zone);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("expected " + NAMES + ", got \"" + format + "\", which is not a "
                    + "pattern: " + e.getMessage(), e);
        }
        TimeFormat f = new TimeFormat(format, Kind.PATTERN, pattern, zone);
        String sample;
        try {
            sample = pattern.format(SAMPLE);
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("pattern \"" + format + "\" cannot write a time: " + e.getMessage(), e);
        }
        try {
            f.parse(sample);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("pattern \"" + format + "\" does not read back the sample \"" + sample
                    + "\" it writes for " + SAMPLE + " (a pattern needs at least a year, month and day)", e);
        }
        return f;
    }

    /**
     * Reads a time written as text.
     *
     * @throws IllegalArgumentException naming the text and the format when it is not a time of this format, or is
     *                                  out of range
     */
    public long parse(String text) {
        return switch (kind) {
            case DEFAULT -> Timestamps.parse(text);
            case ISO8601 -> iso(text);
            case EPOCH_S, EPOCH_MS, EPOCH_US, EPOCH_NS -> decimal(text);
            case PATTERN -> pattern(text);
        };
    }

    /**
     * Reads a time written as a whole number.
     *
     * @throws IllegalArgumentException when this format does not take numbers, or the time is out of range
     */
    public long ofNumber(long value) {
        return switch (kind) {
            case DEFAULT, EPOCH_MS -> value;
            case EPOCH_S -> scaleUp(value, 1_000);
            case EPOCH_US -> Math.floorDiv(value, 1_000L);
            case EPOCH_NS -> Math.floorDiv(value, 1_000_000L);
            case ISO8601, PATTERN -> throw new IllegalArgumentException("expected " + expected() + ", got " + value);
        };
    }

    /**
     * Writes a time as events of this format carry it, for a source that holds times as times (a Parquet
     * timestamp column): {@link #parse} reads it back to the same millisecond.
     *
     * @return the text, which is a JSON number when {@link #writesNumbers()}
     */
    public String write(long epochMs) {
        return switch (kind) {
            case DEFAULT, EPOCH_MS -> Long.toString(epochMs);
            case EPOCH_S -> BigDecimal.valueOf(epochMs, 3).stripTrailingZeros().toPlainString();
            case EPOCH_US -> BigDecimal.valueOf(epochMs).movePointRight(3).toPlainString();
            case EPOCH_NS -> BigDecimal.valueOf(epochMs).movePointRight(6).toPlainString();
            case ISO8601 -> Timestamps.format(epochMs);
            case PATTERN -> pattern.format(Instant.ofEpochMilli(epochMs));
        };
    }

    /** Whether {@link #write} writes numbers (the default and the epoch formats) rather than text. */
    public boolean writesNumbers() {
        return kind != Kind.ISO8601 && kind != Kind.PATTERN;
    }

    /** Equal when configured alike: a {@link DateTimeFormatter} has no equality of its own. */
    @Override
    public boolean equals(Object o) {
        return o instanceof TimeFormat f && f.name.equals(name) && f.kind == kind && f.zone.equals(zone);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, kind, zone);
    }

    /** What a value must look like, for error messages. */
    public String expected() {
        return switch (kind) {
            case DEFAULT -> "an ISO-8601 timestamp or epoch milliseconds";
            case ISO8601 -> "an ISO-8601 timestamp (2026-11-26T10:05:00Z)";
            case EPOCH_S -> "epoch seconds";
            case EPOCH_MS -> "epoch milliseconds";
            case EPOCH_US -> "epoch microseconds";
            case EPOCH_NS -> "epoch nanoseconds";
            case PATTERN -> "a time like \"" + pattern.format(SAMPLE) + "\" (pattern \"" + name + "\")";
        };
    }

    private long scaleUp(long value, long factor) {
        try {
            return Math.multiplyExact(value, factor);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(value + " " + expected() + " is out of range (epoch milliseconds must "
                    + "fit a long)", e);
        }
    }

    private long iso(String text) {
        String s = text == null ? "" : text.trim();
        if (s.isEmpty() || !Character.isDigit(s.charAt(0)) || !s.contains("-")) {
            throw new IllegalArgumentException("expected " + expected() + ", got \"" + text + "\"");
        }
        return Timestamps.parse(s);
    }

    private long decimal(String text) {
        BigDecimal value;
        try {
            value = new BigDecimal(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected " + expected() + ", got \"" + text + "\"", e);
        }
        int toMillis = switch (kind) {
            case EPOCH_S -> 3;
            case EPOCH_US -> -3;
            case EPOCH_NS -> -6;
            default -> 0;
        };
        try {
            return value.scaleByPowerOfTen(toMillis).setScale(0, RoundingMode.FLOOR).longValueExact();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("\"" + text + "\" " + expected() + " is out of range (epoch "
                    + "milliseconds must fit a long)", e);
        }
    }

    private long pattern(String text) {
        TemporalAccessor t;
        try {
            t = pattern.parse(text.trim());
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("expected " + expected() + ", got \"" + text + "\"", e);
        }
        try {
            if (t.isSupported(ChronoField.INSTANT_SECONDS)) {
                return Instant.from(t).toEpochMilli();
            }
            LocalDate date = t.query(TemporalQueries.localDate());
            if (date == null) {
                throw new DateTimeException("no date in it");
            }
            LocalTime time = t.query(TemporalQueries.localTime());
            ZoneId in = t.query(TemporalQueries.zone());
            return date.atTime(time == null ? LocalTime.MIDNIGHT : time).atZone(in == null ? zone : in).toInstant()
                    .toEpochMilli();
        } catch (DateTimeException | ArithmeticException e) {
            throw new IllegalArgumentException("expected " + expected() + ", got \"" + text + "\" (" + e.getMessage()
                    + ")", e);
        }
    }
}
