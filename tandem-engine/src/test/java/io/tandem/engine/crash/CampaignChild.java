package io.tandem.engine.crash;

import io.tandem.core.TandemConfig;
import io.tandem.core.config.ConfigLoader;
import io.tandem.engine.Tandem;
import io.tandem.engine.TandemOptions;
import io.tandem.engine.ingest.IngestResponse;
import io.tandem.engine.report.ReportException;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;

/**
 * The process {@link CrashCampaignTest} kills: ingests requests of {@link #EVENTS_PER_REQUEST} events as fast as
 * it can, printing {@code send <request>} before each ingest call and {@code ack <request>} once it has returned
 * with every event accepted (they are then durable), while batch runs go on back to back (1-second epochs, a full
 * recompute every fifth run) each followed by a rewrite of the daily report of the child's first day, the
 * real-time store is checkpointed every 20 ms, and two alert rules fire once per request.
 */
public final class CampaignChild {

    static final int EVENTS_PER_REQUEST = 50;
    static final long BASE_TS = 1_735_689_600_000L;
    static final long HOUR = 3_600_000L;

    static final String CONFIG = """
            epoch: 1s
            streams:
              trades:
                time: ts
                lateness: 1s
                max_future: 1d
                min_time: 2024-01-01T00:00:00Z
                fields: {symbol: string, qty: long, request: long}
            views:
              by_request:
                from: trades
                group_by: [request]
                granularity: 1d
                measures: {n: count, qty: sum(qty)}
                needs: {user_waiting: true}
              by_symbol:
                from: trades
                group_by: [symbol]
                granularity: 1h
                measures: {n: count, qty: sum(qty), top: max(qty)}
                needs: {user_waiting: true}
            alerts:
              last_of_request: {stream: trades, for_each: [request], on: event, condition: "qty == 50"}
              request_complete: {view: by_request, on: update, condition: "n >= 50"}
            reports:
              daily_volume:
                schedule: daily at 00:00
                format: csv
                sql: |
                  SELECT symbol, count(*) AS trades, sum(qty) AS volume FROM trades
                  WHERE ts >= {{period_start}} AND ts < {{period_end}} GROUP BY symbol ORDER BY symbol
            """;

    private CampaignChild() {
    }

    static TandemConfig config() {
        return ConfigLoader.parse(CONFIG, "crash-campaign.yaml");
    }

    /**
     * The event time of event {@code i} of request {@code r}: in one of 240 hours after 2025-01-01T00:00:00Z that
     * are the child's own (a child's requests are numbered from {@code 1e6} times its cycle on): ten days of its
     * own.
     */
    static long eventTime(long r, int i) {
        long cycle = r / 1_000_000;
        return BASE_TS + (cycle * 240 + r % 240) % 14_400 * HOUR + i;
    }

    /** The symbol of event {@code i} of a request (qty {@code i + 1}). */
    static String symbol(int i) {
        return "S" + i % 7;
    }

    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        long request = Long.parseLong(args[1]);
        Tandem tandem = Tandem.start(config(), TandemOptions.defaults(dir).withPartitions(2)
                .withCheckpointEveryMs(20).withAutomaticBatchRuns(false));
        String day = Instant.ofEpochMilli(eventTime(request, 0)).atZone(ZoneOffset.UTC).toLocalDate().toString();
        Thread batches = new Thread(() -> {
            for (int run = 0; ; run++) {
                tandem.runBatch(run % 5 == 4).join();
                try {
                    tandem.reports().run("daily_volume", day, true);
                } catch (ReportException e) {
                    // not covered before the first batch run of this data directory has published
                }
            }
        }, "batch-runs");
        batches.setDaemon(true);
        batches.start();
        System.out.println("started");
        System.out.flush();
        while (true) {
            StringBuilder body = new StringBuilder();
            for (int i = 0; i < EVENTS_PER_REQUEST; i++) {
                body.append("{\"symbol\":\"").append(symbol(i)).append("\",\"qty\":").append(i + 1)
                        .append(",\"request\":").append(request).append(",\"ts\":")
                        .append(eventTime(request, i)).append("}\n");
            }
            System.out.println("send " + request);
            System.out.flush();
            IngestResponse r = tandem.ingest("trades", body.toString().getBytes(StandardCharsets.UTF_8), null);
            if (r.accepted() == EVENTS_PER_REQUEST) {
                System.out.println("ack " + request);
                System.out.flush();
            }
            request++;
        }
    }
}
