package io.tandem.engine.report;

import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.temporal.IsoFields;
import java.time.temporal.TemporalAdjusters;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * When a report runs, all in UTC: {@code hourly}, {@code daily at HH:MM}, {@code weekly} (ISO weeks, Monday to
 * Monday) or {@code monthly}.
 *
 * <p>Each schedule cuts time into periods: hours, days, weeks or months. A period's run time is its end plus the
 * schedule's offset: {@code daily at 00:05} runs the period 2026-11-25 at 2026-11-26T00:05Z; the other schedules
 * have no offset, so {@code 2026-W48} runs at Monday 2026-11-30T00:00Z and {@code 2026-11} at 2026-12-01T00:00Z.
 */
public final class ReportSchedule {

    /** How long each period is. */
    private enum Unit { HOUR, DAY, WEEK, MONTH }

    private static final String EXPECTED = "expected hourly, daily at HH:MM, weekly or monthly";
    private static final Pattern DAILY = Pattern.compile("daily at (\\d\\d):(\\d\\d)");
    private static final Pattern HOUR = Pattern.compile("(\\d{4})-(\\d\\d)-(\\d\\d)T(\\d\\d)");
    private static final Pattern DAY = Pattern.compile("(\\d{4})-(\\d\\d)-(\\d\\d)");
    private static final Pattern WEEK = Pattern.compile("(\\d{4})-W(\\d\\d)");
    private static final Pattern MONTH = Pattern.compile("(\\d{4})-(\\d\\d)");
    private static final long HOUR_MS = 3_600_000L;
    private static final long DAY_MS = 86_400_000L;
    private static final long MINUTE_MS = 60_000L;

    private final String text;
    private final Unit unit;
    private final long offsetMs;

    private ReportSchedule(String text, Unit unit, long offsetMs) {
        this.text = text;
        this.unit = unit;
        this.offsetMs = offsetMs;
    }

    /**
     * @throws IllegalArgumentException quoting the text when it is not a schedule
     */
    public static ReportSchedule parse(String text) {
        switch (text) {
            case "hourly":
                return new ReportSchedule(text, Unit.HOUR, 0);
            case "weekly":
                return new ReportSchedule(text, Unit.WEEK, 0);
            case "monthly":
                return new ReportSchedule(text, Unit.MONTH, 0);
            default:
                Matcher m = DAILY.matcher(text);
                if (!m.matches()) {
                    throw new IllegalArgumentException(EXPECTED + ", got \"" + text + "\"");
                }
                int hour = Integer.parseInt(m.group(1));
                int minute = Integer.parseInt(m.group(2));
                if (hour > 23 || minute > 59) {
                    throw new IllegalArgumentException("the time of day must be 00:00 to 23:59, got \"" + text + "\"");
                }
                return new ReportSchedule(text, Unit.DAY, hour * HOUR_MS + minute * MINUTE_MS);
        }
    }

    /** How long after a period's end it runs. */
    public long offsetMs() {
        return offsetMs;
    }

    /**
     * Reads a period as written for this schedule: {@code 2026-11-25T10} (hourly), {@code 2026-11-25} (daily),
     * {@code 2026-W48} (weekly) or {@code 2026-11} (monthly).
     *
     * @throws IllegalArgumentException naming the expected form, or the date that does not exist
     */
    public ReportPeriod period(String id) {
        Matcher m = switch (unit) {
            case HOUR -> HOUR.matcher(id);
            case DAY -> DAY.matcher(id);
            case WEEK -> WEEK.matcher(id);
            case MONTH -> MONTH.matcher(id);
        };
        if (!m.matches()) {
            throw new IllegalArgumentException("expected " + example() + " (the report runs " + text + "), got \""
                    + id + "\"");
        }
        try {
            int year = Integer.parseInt(m.group(1));
            LocalDate start = switch (unit) {
                case HOUR, DAY -> LocalDate.of(year, Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)));
                case WEEK -> week(year, Integer.parseInt(m.group(2)));
                case MONTH -> YearMonth.of(year, Integer.parseInt(m.group(2))).atDay(1);
            };
            long startMs = start.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
            if (unit == Unit.HOUR) {
                int hour = Integer.parseInt(m.group(4));
                if (hour > 23) {
                    throw new DateTimeException("hour " + hour + " does not exist");
                }
                startMs += hour * HOUR_MS;
            }
            return containing(startMs);
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("no such " + unit.name().toLowerCase(Locale.ROOT) + ": \"" + id
                    + "\" (" + e.getMessage() + ")");
        }
    }

    private static LocalDate week(int year, int week) {
        LocalDate jan4 = LocalDate.of(year, 1, 4);
        long weeks = IsoFields.WEEK_OF_WEEK_BASED_YEAR.rangeRefinedBy(jan4).getMaximum();
        if (week < 1 || week > weeks) {
            throw new DateTimeException(year + " has weeks 01 to " + weeks);
        }
        return jan4.with(IsoFields.WEEK_OF_WEEK_BASED_YEAR, week).with(DayOfWeek.MONDAY);
    }

    private String example() {
        return switch (unit) {
            case HOUR -> "an hour like 2026-11-25T10";
            case DAY -> "a day like 2026-11-25";
            case WEEK -> "an ISO week like 2026-W48";
            case MONTH -> "a month like 2026-11";
        };
    }

    /** The period that holds an instant; also before 1970. */
    public ReportPeriod containing(long ms) {
        LocalDateTime t = LocalDateTime.ofInstant(Instant.ofEpochMilli(ms), ZoneOffset.UTC);
        LocalDate day = t.toLocalDate();
        return switch (unit) {
            case HOUR -> {
                long start = Math.floorDiv(ms, HOUR_MS) * HOUR_MS;
                yield new ReportPeriod(day + "T" + String.format(Locale.ROOT, "%02d", t.getHour()), start,
                        start + HOUR_MS);
            }
            case DAY -> {
                long start = Math.floorDiv(ms, DAY_MS) * DAY_MS;
                yield new ReportPeriod(day.toString(), start, start + DAY_MS);
            }
            case WEEK -> {
                LocalDate monday = day.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
                yield new ReportPeriod(String.format(Locale.ROOT, "%d-W%02d", monday.get(IsoFields.WEEK_BASED_YEAR),
                        monday.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR)), millis(monday), millis(monday.plusWeeks(1)));
            }
            case MONTH -> {
                LocalDate first = day.withDayOfMonth(1);
                yield new ReportPeriod(YearMonth.from(first).toString(), millis(first), millis(first.plusMonths(1)));
            }
        };
    }

    private static long millis(LocalDate day) {
        return day.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
    }

    /** The period right after this one. */
    public ReportPeriod next(ReportPeriod p) {
        return containing(p.endMs());
    }

    /** The period right before this one. */
    public ReportPeriod previous(ReportPeriod p) {
        return containing(p.startMs() - 1);
    }

    /** When a period is due: its end plus the schedule's offset. */
    public long runAtMs(ReportPeriod p) {
        return p.endMs() + offsetMs;
    }

    /** The schedule as written, e.g. {@code daily at 00:05}. */
    @Override
    public String toString() {
        return text;
    }
}
