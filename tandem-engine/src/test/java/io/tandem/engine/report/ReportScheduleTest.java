package io.tandem.engine.report;

import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Schedules cut UTC time into hours, days, ISO weeks and months; each period runs at its end plus an offset. */
class ReportScheduleTest {

    static long t(String iso) {
        return Instant.parse(iso).toEpochMilli();
    }

    static ReportPeriod period(String id, String start, String end) {
        return new ReportPeriod(id, t(start), t(end));
    }

    @Test
    void dailyAtAnHourAndMinute_runsTheDayAfterAtThatTime() {
        ReportSchedule daily = ReportSchedule.parse("daily at 00:05");

        ReportPeriod p = daily.period("2026-11-25");

        assertThat(p).isEqualTo(period("2026-11-25", "2026-11-25T00:00:00Z", "2026-11-26T00:00:00Z"));
        assertThat(daily.runAtMs(p)).isEqualTo(t("2026-11-26T00:05:00Z"));
        assertThat(daily.offsetMs()).isEqualTo(300_000L);
        assertThat(ReportSchedule.parse("daily at 23:59").runAtMs(p)).isEqualTo(t("2026-11-26T23:59:00Z"));
    }

    @Test
    void hourly_periodsAreHoursAndRunAtTheirEnd() {
        ReportSchedule hourly = ReportSchedule.parse("hourly");

        ReportPeriod p = hourly.period("2026-11-25T10");

        assertThat(p).isEqualTo(period("2026-11-25T10", "2026-11-25T10:00:00Z", "2026-11-25T11:00:00Z"));
        assertThat(hourly.runAtMs(p)).isEqualTo(p.endMs());
        assertThat(hourly.next(hourly.period("2026-12-31T23")).id()).isEqualTo("2027-01-01T00");
        assertThat(hourly.containing(t("1969-12-31T23:30:00Z")).id()).isEqualTo("1969-12-31T23");
    }

    @Test
    void weekly_periodsAreIsoWeeksFromMondayAndRunOnTheNextMonday() {
        ReportSchedule weekly = ReportSchedule.parse("weekly");

        ReportPeriod p = weekly.period("2026-W48");

        assertThat(p).isEqualTo(period("2026-W48", "2026-11-23T00:00:00Z", "2026-11-30T00:00:00Z"));
        assertThat(weekly.runAtMs(p)).isEqualTo(t("2026-11-30T00:00:00Z"));
    }

    @Test
    void weeks_crossYears_theIsoWay() {
        ReportSchedule weekly = ReportSchedule.parse("weekly");

        // 2021-01-01 is a Friday: it belongs to the 53rd week of 2020
        assertThat(weekly.containing(t("2021-01-01T12:00:00Z")))
                .isEqualTo(period("2020-W53", "2020-12-28T00:00:00Z", "2021-01-04T00:00:00Z"));
        // 2024-12-30 is a Monday: it starts week 1 of 2025
        assertThat(weekly.containing(t("2024-12-31T00:00:00Z")).id()).isEqualTo("2025-W01");
        assertThat(weekly.period("2025-W01").startMs()).isEqualTo(t("2024-12-30T00:00:00Z"));
        assertThat(weekly.next(weekly.period("2026-W52")).id()).isEqualTo("2026-W53");
        assertThat(weekly.next(weekly.period("2026-W53")).id()).isEqualTo("2027-W01");
        assertThat(weekly.previous(weekly.period("1970-W01")).id()).isEqualTo("1969-W52");
        assertThatThrownBy(() -> weekly.period("2021-W53"))
                .hasMessage("no such week: \"2021-W53\" (2021 has weeks 01 to 52)");
        assertThatThrownBy(() -> weekly.period("2026-W00"))
                .hasMessage("no such week: \"2026-W00\" (2026 has weeks 01 to 53)");
    }

    @Test
    void monthly_periodsFollowMonthLengthsAndLeapYears() {
        ReportSchedule monthly = ReportSchedule.parse("monthly");

        assertThat(monthly.period("2024-02"))
                .isEqualTo(period("2024-02", "2024-02-01T00:00:00Z", "2024-03-01T00:00:00Z"));
        assertThat(monthly.period("2026-02").endMs() - monthly.period("2026-02").startMs())
                .isEqualTo(28 * 86_400_000L);
        assertThat(monthly.period("1900-02").endMs() - monthly.period("1900-02").startMs())
                .isEqualTo(28 * 86_400_000L);
        assertThat(monthly.period("2000-02").endMs() - monthly.period("2000-02").startMs())
                .isEqualTo(29 * 86_400_000L);
        assertThat(monthly.runAtMs(monthly.period("2026-12"))).isEqualTo(t("2027-01-01T00:00:00Z"));
        assertThat(monthly.containing(t("2026-11-30T23:59:59.999Z")).id()).isEqualTo("2026-11");
        assertThat(monthly.containing(-1).id()).isEqualTo("1969-12");
        assertThatThrownBy(() -> monthly.period("2026-13")).hasMessageStartingWith("no such month: \"2026-13\"");
    }

    @Test
    void days_existOrAreRefused() {
        ReportSchedule daily = ReportSchedule.parse("daily at 00:00");

        assertThat(daily.period("2024-02-29").endMs()).isEqualTo(t("2024-03-01T00:00:00Z"));
        assertThat(daily.containing(-1).id()).isEqualTo("1969-12-31");
        assertThatThrownBy(() -> daily.period("2026-02-29")).hasMessageStartingWith("no such day: \"2026-02-29\"");
        assertThatThrownBy(() -> ReportSchedule.parse("hourly").period("2026-11-25T24"))
                .hasMessageStartingWith("no such hour: \"2026-11-25T24\"");
    }

    @Test
    void aPeriodWrittenForAnotherSchedule_namesTheExpectedForm() {
        assertThatThrownBy(() -> ReportSchedule.parse("daily at 00:05").period("2026-11"))
                .hasMessage("expected a day like 2026-11-25 (the report runs daily at 00:05), got \"2026-11\"");
        assertThatThrownBy(() -> ReportSchedule.parse("weekly").period("2026-11-25"))
                .hasMessage("expected an ISO week like 2026-W48 (the report runs weekly), got \"2026-11-25\"");
        assertThatThrownBy(() -> ReportSchedule.parse("hourly").period("2026-11-25T10:00"))
                .hasMessage("expected an hour like 2026-11-25T10 (the report runs hourly), got \"2026-11-25T10:00\"");
        assertThatThrownBy(() -> ReportSchedule.parse("monthly").period("26-11"))
                .hasMessage("expected a month like 2026-11 (the report runs monthly), got \"26-11\"");
    }

    @Test
    void badSchedules_areRefusedWithTheValue() {
        assertThatThrownBy(() -> ReportSchedule.parse("dayly"))
                .hasMessage("expected hourly, daily at HH:MM, weekly or monthly, got \"dayly\"");
        assertThatThrownBy(() -> ReportSchedule.parse("daily at 12:60"))
                .hasMessage("the time of day must be 00:00 to 23:59, got \"daily at 12:60\"");
    }
}
