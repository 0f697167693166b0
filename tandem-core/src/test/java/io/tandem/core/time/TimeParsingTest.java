package io.tandem.core.time;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link Timestamps#parse} and {@link Durations#parse} are total: a value or an IllegalArgumentException. */
class TimeParsingTest {

    private static final String RANGE = " is out of range (epoch milliseconds must fit a long: "
            + "-292275055-05-16T16:47:04.192Z .. +292278994-08-17T07:12:55.807Z)";

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            2026-11-26T10:05:00Z | 1795687500000
            2026-11-26T11:05:00+01:00 | 1795687500000
            2026-11-26 | 1795651200000
            -1000 | -1000
            9223372036854775807 | 9223372036854775807
            -292275055-05-16T16:47:04.192Z | -9223372036854775808
            """)
    void timestampsInRange_parse(String text, long expected) {
        assertThat(Timestamps.parse(text)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            +1000000000-12-31T23:59:59Z
            -1000000000-01-01T00:00:00Z
            +292278994-08-17T07:12:55.808Z
            9223372036854775808
            -9223372036854775809
            +999999999-12-31
            """)
    void timestampsPastWhatALongHolds_areIllegalArguments_namingTheValue(String text) {
        assertThatThrownBy(() -> Timestamps.parse(text)).isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("timestamp \"" + text + "\"" + RANGE)
                .hasCauseInstanceOf(ArithmeticException.class);
    }

    @Test
    void notATimestamp_isAnIllegalArgument() {
        assertThatThrownBy(() -> Timestamps.parse("2026-13-01T00:00:00Z"))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("expected an ISO-8601 timestamp (2026-11-26T10:05:00Z) or epoch milliseconds, "
                        + "got \"2026-13-01T00:00:00Z\"");
        assertThatThrownBy(() -> Timestamps.parse("-")).isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("expected epoch milliseconds, got \"-\"");
    }

    @ParameterizedTest
    @CsvSource({"9999999999999999d", "106751991168d", "9223372036854775808ms", "99999999999999999999s"})
    void durationsPastWhatALongHolds_areIllegalArguments_namingTheValue(String text) {
        assertThatThrownBy(() -> Durations.parse(text)).isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("duration \"" + text + "\" is out of range (at most 9223372036854775807ms)");
    }

    @Test
    void theLongestDurations_parse() {
        assertThat(Durations.parse("9223372036854775807ms")).isEqualTo(Long.MAX_VALUE);
        assertThat(Durations.parse("106751991167d")).isEqualTo(106_751_991_167L * 86_400_000L);
    }
}
