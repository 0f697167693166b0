package io.tandem.core.time;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TimeFormatTest {

    private static final long T = Instant.parse("2023-11-14T22:13:20Z").toEpochMilli();

    private static TimeFormat of(String format) {
        return TimeFormat.of(format, ZoneOffset.UTC);
    }

    @Test
    void epochUnits_readNumbersAndNumericText_exactly_cutTowardThePast() {
        assertThat(of("epoch_s").ofNumber(1_700_000_000L)).isEqualTo(T);
        assertThat(of("epoch_s").parse("1700000000")).isEqualTo(T);
        assertThat(of("epoch_s").parse("1700000000.9999")).isEqualTo(T + 999);
        assertThat(of("epoch_s").parse("-0.0005")).isEqualTo(-1);
        assertThat(of("epoch_ms").ofNumber(T)).isEqualTo(T);
        assertThat(of("epoch_us").ofNumber(T * 1_000 + 999)).isEqualTo(T);
        assertThat(of("epoch_us").ofNumber(-1)).isEqualTo(-1);
        assertThat(of("epoch_ns").ofNumber(T * 1_000_000 + 5)).isEqualTo(T);
        assertThat(of("epoch_ns").parse("1.7e18")).isEqualTo(T);
    }

    @Test
    void epochUnits_refuseWhatIsNotANumber_orOutOfRange_namingTheValue() {
        assertThatThrownBy(() -> of("epoch_s").parse("2023-11-14")).hasMessage(
                "expected epoch seconds, got \"2023-11-14\"");
        assertThatThrownBy(() -> of("epoch_s").ofNumber(Long.MAX_VALUE)).hasMessageContaining(
                "9223372036854775807 epoch seconds is out of range");
        assertThatThrownBy(() -> of("epoch_s").parse("1e300")).hasMessageContaining("\"1e300\" epoch seconds is out "
                + "of range");
    }

    @Test
    void write_writesWhatParseReadsBack_toTheMillisecond() {
        for (String format : new String[] {"epoch_s", "epoch_ms", "epoch_us", "epoch_ns", "iso8601",
            "yyyy-MM-dd HH:mm:ss.SSS"}) {
            TimeFormat f = of(format);
            for (long t : new long[] {T, T + 7, -1, -86_400_001}) {
                assertThat(f.parse(f.write(t))).as("%s %d as %s", format, t, f.write(t)).isEqualTo(t);
            }
        }
        assertThat(of("epoch_s").write(T + 250)).isEqualTo("1700000000.25");
        assertThat(of("epoch_s").writesNumbers()).isTrue();
        assertThat(of("iso8601").writesNumbers()).isFalse();
    }

    @Test
    void iso8601_readsTextOnly() {
        assertThat(of("iso8601").parse("2023-11-14T22:13:20Z")).isEqualTo(T);
        assertThat(of("iso8601").parse("2023-11-14T23:13:20+01:00")).isEqualTo(T);
        assertThatThrownBy(() -> of("iso8601").parse("1700000000000")).hasMessageContaining(
                "expected an ISO-8601 timestamp (2026-11-26T10:05:00Z), got \"1700000000000\"");
        assertThatThrownBy(() -> of("iso8601").ofNumber(1)).hasMessageContaining("got 1");
    }

    @Test
    void patterns_readInTheirZone_unlessTheTextHasAnOffset_andADateAloneIsMidnight() {
        assertThat(of("yyyy-MM-dd HH:mm:ss").parse("2023-11-14 22:13:20")).isEqualTo(T);
        assertThat(TimeFormat.of("dd/MM/yyyy HH:mm:ss", ZoneId.of("Europe/Paris")).parse("14/11/2023 23:13:20"))
                .isEqualTo(T);
        assertThat(TimeFormat.of("yyyy-MM-dd HH:mm:ssXXX", ZoneId.of("Europe/Paris")).parse("2023-11-14 22:13:20Z"))
                .isEqualTo(T);
        assertThat(of("yyyyMMdd").parse("20231114")).isEqualTo(T - (22 * 3600 + 13 * 60 + 20) * 1000L);
        assertThat(of("yyyy-MM-dd HH:mm:ss.SSS").parse("2023-11-14 22:13:20.250")).isEqualTo(T + 250);
        assertThat(of("yyyy-MM-dd HH:mm:ss")).isEqualTo(of("yyyy-MM-dd HH:mm:ss"))
                .hasSameHashCodeAs(of("yyyy-MM-dd HH:mm:ss")).isNotEqualTo(of("yyyy-MM-dd HH:mm"));
        assertThatThrownBy(() -> of("yyyy-MM-dd HH:mm:ss").parse("2023-11-14T22:13:20Z")).hasMessageStartingWith(
                "expected a time like \"2026-11-26 10:05:07\" (pattern \"yyyy-MM-dd HH:mm:ss\"), got "
                        + "\"2023-11-14T22:13:20Z\"");
    }

    @Test
    void aFormatThatIsNeitherANameNorAPatternThatReadsADate_isRefusedWithTheSampleItFailedOn() {
        assertThatThrownBy(() -> of("epoch_sec")).hasMessage("expected iso8601, epoch_s, epoch_ms, epoch_us, "
                + "epoch_ns or a DateTimeFormatter pattern like \"yyyy-MM-dd HH:mm:ss\", got \"epoch_sec\"");
        assertThatThrownBy(() -> of("HH:mm:ss")).hasMessageStartingWith("pattern \"HH:mm:ss\" does not read back "
                + "the sample \"10:05:07\" it writes for 2026-11-26T10:05:07.123Z");
        assertThatThrownBy(() -> of("yyyy-MM-dd qqqqqq")).hasMessageContaining("got \"yyyy-MM-dd qqqqqq\", which is "
                + "not a pattern");
    }
}
