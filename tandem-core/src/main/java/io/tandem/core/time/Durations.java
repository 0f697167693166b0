package io.tandem.core.time;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as written in config and queries: {@code 500ms}, {@code 5s}, {@code 1m}, {@code 1h}, {@code 1d}. */
public final class Durations {

    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");

    private Durations() {
    }

    /**
     * Parses a duration to milliseconds.
     *
     * @throws IllegalArgumentException naming the value when it is not a duration or does not fit a long of
     *                                  milliseconds
     */
    public static long parse(String text) {
        Matcher m = text == null ? null : DURATION.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (m == null || !m.matches()) {
            throw new IllegalArgumentException(
                    "expected a duration like 500ms, 5s, 1m, 1h or 1d, got \"" + text + "\"");
        }
        long unit = switch (m.group(2)) {
            case "ms" -> 1;
            case "s" -> 1_000;
            case "m" -> 60_000;
            case "h" -> 3_600_000;
            default -> 86_400_000;
        };
        try {
            return Math.multiplyExact(Long.parseLong(m.group(1)), unit);
        } catch (ArithmeticException | NumberFormatException e) {
            throw new IllegalArgumentException("duration \"" + text + "\" is out of range (at most "
                    + Long.MAX_VALUE + "ms)");
        }
    }

    /** The shortest exact spelling: 300000 becomes {@code 5m}. */
    public static String format(long ms) {
        long[] units = {86_400_000, 3_600_000, 60_000, 1_000};
        String[] names = {"d", "h", "m", "s"};
        for (int i = 0; i < units.length; i++) {
            if (ms != 0 && ms % units[i] == 0) {
                return ms / units[i] + names[i];
            }
        }
        return ms + "ms";
    }
}
