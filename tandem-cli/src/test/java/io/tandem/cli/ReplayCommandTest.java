package io.tandem.cli;

import io.tandem.core.config.ConfigLoader;
import io.tandem.engine.Tandem;
import io.tandem.engine.TandemOptions;
import io.tandem.engine.query.QueryResult;
import io.tandem.engine.query.ViewQuery;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code tandem replay} into a data directory with no server: a Bitstamp-style CSV ({@code timestamp,price,amount},
 * Unix seconds, several trades in one second) loads as it is, in the file's order (each minute's open and close are
 * the file's first and last trade of it), from Parquet too; with {@code --epoch-from event-time} the lake holds it
 * under the epochs of its history and the batch views cover it. Compared with a plain reference over the file.
 */
class ReplayCommandTest {

    private static final String CONFIG = """
            epoch: 1h
            streams:
              trades:
                time: {field: timestamp, format: epoch_s}
                fields: {price: double, amount: double}
            views:
              ohlc_1m:
                from: trades
                granularity: 1m
                measures: {trades: count, open: first(price), close: last(price), volume: sum(amount)}
            """;
    /** 2025-12-01T00:00:00Z in Unix seconds. */
    private static final long T0 = 1_764_547_200L;

    @TempDir
    Path dir;
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();

    /** One minute of the reference: count, first and last price, volume in millionths. */
    record Minute(long trades, double open, double close, long volumeMicros) {
    }

    int run(String... args) {
        out = new StringWriter();
        err = new StringWriter();
        CommandLine cli = Main.commandLine(InputStream.nullInputStream(), Map.of());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    /** Three hours of trades, up to four in the same second, prices unique so that first and last are exact. */
    private Path bitstampCsv(TreeMap<Long, Minute> reference) throws Exception {
        Random random = new Random(7);
        StringBuilder csv = new StringBuilder("timestamp,price,amount\n");
        long t = T0;
        for (int i = 0; i < 20_000; i++) {
            t += random.nextInt(3) == 0 ? 1 : 0;
            double price = 90_000 + i * 0.01;
            long micros = 1 + random.nextInt(500_000);
            csv.append(t).append(',').append(String.format("%.2f", price)).append(',')
                    .append(String.format("%.6f", micros / 1e6)).append('\n');
            long minute = Math.floorDiv(t, 60) * 60_000;
            Minute m = reference.get(minute);
            reference.put(minute, m == null ? new Minute(1, price, price, micros)
                    : new Minute(m.trades + 1, m.open, price, m.volumeMicros + micros));
        }
        return Files.writeString(dir.resolve("btcusd.csv"), csv);
    }

    private static TreeMap<Long, Minute> minutes(Tandem tandem, List<String> sources) {
        TreeMap<Long, Minute> got = new TreeMap<>();
        for (QueryResult.Row r : tandem.query(new ViewQuery("ohlc_1m", 0, Long.MAX_VALUE / 2, 0, Map.of())).rows()) {
            Object[] v = r.values();
            got.put(r.bucket(), new Minute(((Number) v[0]).longValue(), (Double) v[1], (Double) v[2],
                    Math.round((Double) v[3] * 1e6)));
            sources.add(r.source());
        }
        return got;
    }

    private Tandem open(Path data) throws Exception {
        return Tandem.start(ConfigLoader.parse(CONFIG, "tandem.yaml"), TandemOptions.defaults(data)
                .withPartitions(2));
    }

    @Test
    void aBitstampCsvInUnixSeconds_replaysInTheFilesOrder_andAgainWithoutCountingTwice() throws Exception {
        Path config = Files.writeString(dir.resolve("tandem.yaml"), CONFIG);
        TreeMap<Long, Minute> reference = new TreeMap<>();
        Path csv = bitstampCsv(reference);
        Path data = dir.resolve("data");

        assertThat(run("replay", "--config", config.toString(), "--data-dir", data.toString(), "--partitions", "2",
                "--batch", "1000", csv.toString())).as(err.toString()).isZero();
        assertThat(out.toString()).contains("btcusd.csv -> stream trades: 20,000 accepted, 0 rejected");
        // the same file again: its idempotency keys say every request is in already
        assertThat(run("replay", "--config", config.toString(), "--data-dir", data.toString(), "--partitions", "2",
                "--batch", "1000", csv.toString())).as(err.toString()).isZero();

        try (Tandem tandem = open(data)) {
            assertThat(tandem.awaitCaughtUp(java.time.Duration.ofSeconds(60))).isTrue();
            assertThat(minutes(tandem, new ArrayList<>())).isEqualTo(reference);
        }
    }

    @Test
    void withEpochFromEventTime_theLakeHoldsTheHistoryInItsEpochs_andTheBatchViewsCoverIt() throws Exception {
        Path config = Files.writeString(dir.resolve("tandem.yaml"), CONFIG);
        TreeMap<Long, Minute> reference = new TreeMap<>();
        Path csv = bitstampCsv(reference);
        // the same trades as Parquet, the time a TIMESTAMP column
        Path parquet = dir.resolve("btcusd.parquet");
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
            s.execute("COPY (SELECT to_timestamp(timestamp)::TIMESTAMP AS timestamp, price, amount FROM read_csv('"
                    + csv + "')) TO '" + parquet + "' (FORMAT parquet)");
        }
        Path data = dir.resolve("data");

        assertThat(run("replay", "--config", config.toString(), "--data-dir", data.toString(), "--partitions", "2",
                "--epoch-from", "event-time", "--batch", "1000", parquet.toString())).as(err.toString()).isZero();
        assertThat(out.toString()).contains("20,000 accepted, 0 rejected").contains("batch run published");

        // each hour of the file is an epoch of the lake, and the batch views answer for all of it
        List<String> epochs;
        try (Stream<Path> all = Files.list(data.resolve("lake").resolve("trades"))) {
            epochs = all.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("epoch=")).sorted().toList();
        }
        long firstHour = reference.firstKey() / 3_600_000;
        long lastHour = reference.lastKey() / 3_600_000;
        List<String> expected = new ArrayList<>();
        for (long h = firstHour; h <= lastHour; h++) {
            expected.add("epoch=" + h);
        }
        assertThat(epochs).isEqualTo(expected);
        try (Tandem tandem = open(data)) {
            List<String> sources = new ArrayList<>();
            assertThat(minutes(tandem, sources)).isEqualTo(reference);
            assertThat(sources).containsOnly("batch");
        }
    }

    @Test
    void badInput_isRefusedNamingTheValue() throws Exception {
        Path config = Files.writeString(dir.resolve("tandem.yaml"), CONFIG);
        Path data = dir.resolve("data");
        Path csv = Files.writeString(dir.resolve("t.csv"), "timestamp,price,amount\n1764547200,1.5,2\n");
        Path parquet = dir.resolve("bad.parquet");
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
            s.execute("COPY (SELECT 1764547200 AS timestamp, 'cheap' AS price) TO '" + parquet + "' (FORMAT parquet)");
        }

        assertThat(run("replay", "--config", config.toString(), "--data-dir", data.toString(), "--stream", "quotes",
                csv.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("--stream: unknown stream 'quotes' (the config has trades)");
        assertThat(run("replay", "--config", config.toString(), "--url", "http://127.0.0.1:1", "--epoch-from",
                "event-time", csv.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("--epoch-from event-time needs --data-dir");
        assertThat(run("replay", "--config", config.toString(), "--data-dir", data.toString(), "--epoch-from",
                "history", csv.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("expected arrival or event-time, got 'history'");
        assertThat(run("replay", "--config", config.toString(), "--data-dir", data.toString(), parquet.toString()))
                .isEqualTo(1);
        assertThat(err.toString()).contains("bad.parquet: column 'price' is VARCHAR, but in stream 'trades' field "
                + "'price' is double: expected FLOAT, DOUBLE, DECIMAL or an integer type");
    }
}
