package io.tandem.cli;

import io.tandem.cli.client.ServerClient;
import io.tandem.core.SecurityDef;
import io.tandem.core.config.ConfigLoader;
import io.tandem.engine.Tandem;
import io.tandem.engine.TandemOptions;
import io.tandem.server.ServerOptions;
import io.tandem.server.TandemServer;
import io.tandem.server.auth.Scope;
import io.tandem.server.auth.Tokens;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The client commands ({@code ingest}, {@code batch}, {@code sql}, {@code report}) run in process against a real
 * server that requires a token, and the messages of the command line itself.
 */
class ClientCommandsTest {

    String token;
    static final String CONFIG = """
            streams:
              trades:
                time: ts
                fields: {symbol: string, price: double, qty: long}
            views:
              volume_1m:
                from: trades
                group_by: [symbol]
                granularity: 1m
                measures: {volume: sum(qty)}
            reports:
              daily_volume:
                schedule: daily at 00:05
                format: csv
                sql: >-
                  SELECT symbol, sum(qty) AS volume FROM trades
                  WHERE ts >= {{period_start}} AND ts < {{period_end}} GROUP BY symbol ORDER BY symbol
            """;

    @TempDir
    Path dir;
    final AtomicLong clock = new AtomicLong(Instant.parse("2026-11-26T00:10:00Z").toEpochMilli());
    Tandem tandem;
    TandemServer server;
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();

    @BeforeEach
    void start() throws IOException {
        tandem = Tandem.start(ConfigLoader.parse(CONFIG, "test.yaml"), TandemOptions.defaults(dir.resolve("data"))
                .withPartitions(1).withClock(clock::get));
        Path tokens = dir.resolve("tokens.jsonl");
        token = Tokens.create(tokens, "client", Set.of(Scope.ADMIN)).secret();
        server = TandemServer.start(tandem, new ServerOptions("127.0.0.1", 0, ServerOptions.DEFAULT_MAX_BODY_BYTES,
                SecurityDef.tokens(tokens)));
    }

    @AfterEach
    void stop() {
        server.close();
        tandem.close();
    }

    /** Runs {@code tandem ARGS} in process with this environment and standard input; out and err are kept. */
    int run(Map<String, String> env, InputStream stdin, String... args) {
        out = new StringWriter();
        err = new StringWriter();
        CommandLine cli = Main.commandLine(stdin, env);
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    int run(String... args) {
        return run(Map.of(), InputStream.nullInputStream(), args);
    }

    Path write(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content);
    }

    Path gzip(String name, String content) throws IOException {
        Path file = dir.resolve(name);
        try (OutputStream gz = new GZIPOutputStream(Files.newOutputStream(file))) {
            gz.write(content.getBytes(StandardCharsets.UTF_8));
        }
        return file;
    }

    static String trade(String symbol, int qty, String ts) {
        return "{\"symbol\":\"" + symbol + "\",\"price\":1.5,\"qty\":" + qty + ",\"ts\":\"" + ts + "\"}\n";
    }

    String count() {
        assertThat(run(Map.of(Main.TOKEN_ENV, token), InputStream.nullInputStream(), "sql", "--url", server.url(),
                "--format", "csv", "SELECT count(*) AS n, sum(qty) AS qty FROM trades")).as(err.toString()).isZero();
        return out.toString();
    }

    @Test
    void query_printsTheServersJsonOrATableOrCsv_andStatusTheOverview() throws Exception {
        Map<String, String> env = Map.of(Main.TOKEN_ENV, token);
        Path file = write("trades.ndjson", trade("AAPL", 10, "2026-11-25T10:00:10Z")
                + trade("AAPL", 5, "2026-11-25T10:00:50Z") + trade("MSFT", 7, "2026-11-25T10:01:00Z"));
        assertThat(run(env, InputStream.nullInputStream(), "ingest", "--url", server.url(), "--stream", "trades",
                file.toString())).as(err.toString()).isZero();
        assertThat(tandem.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();
        String from = "2026-11-25T10:00:00Z";
        String to = "2026-11-25T10:02:00Z";

        // json: exactly the body of GET /v1/views/{view}
        assertThat(run(env, InputStream.nullInputStream(), "query", "volume_1m", "--url", server.url(), "--from",
                from, "--to", to, "--format", "json")).as(err.toString()).isZero();
        HttpResponse<String> direct = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                server.url() + "/v1/views/volume_1m?from=" + from + "&to=" + to)).header("Authorization",
                "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(out.toString().strip()).isEqualTo(direct.body());
        // csv with a dimension filter and a coarser granularity
        assertThat(run(env, InputStream.nullInputStream(), "query", "volume_1m", "--url", server.url(), "--from",
                from, "--to", to, "--granularity", "2m", "--where", "symbol=AAPL", "--format", "csv"))
                .as(err.toString()).isZero();
        assertThat(out.toString()).isEqualTo("bucket,symbol,volume,source\r\n"
                + "2026-11-25T10:00:00Z,AAPL,15,realtime\r\n");
        // table
        assertThat(run(env, InputStream.nullInputStream(), "query", "volume_1m", "--url", server.url(), "--from",
                from, "--to", to)).as(err.toString()).isZero();
        assertThat(out.toString()).contains("MSFT").contains("2 rows of volume_1m at 1m")
                .contains("batch views through nothing yet");
        // bad input: the server's message, and a --where without '='
        assertThat(run(env, InputStream.nullInputStream(), "query", "nope", "--url", server.url(), "--from", from,
                "--to", to)).isEqualTo(1);
        assertThat(err.toString()).contains("nope");
        assertThat(run(env, InputStream.nullInputStream(), "query", "volume_1m", "--url", server.url(), "--from",
                from, "--to", to, "--where", "AAPL")).isEqualTo(2);
        assertThat(err.toString()).contains("--where: expected DIM=VALUE (like symbol=ACME), got 'AAPL'");

        // status: the Overview and each stream
        assertThat(run(env, InputStream.nullInputStream(), "status", "--url", server.url())).as(err.toString())
                .isZero();
        assertThat(out.toString()).contains("ingest rate").contains("3 accepted since start")
                .contains("no batch run has published yet").containsPattern("trades\\s+3\\s+0\\s+0");
        assertThat(run(env, InputStream.nullInputStream(), "status", "--url", server.url(), "--format", "json"))
                .isZero();
        assertThat(ServerClient.json(out.toString()).path("streams").path("trades").path("accepted").asLong())
                .isEqualTo(3);
    }

    @Test
    void tokenCreate_printsTheTokenOnce_storesItsHash_andTheServerTakesIt() throws IOException {
        Path file = dir.resolve("more-tokens.jsonl");

        assertThat(run("token", "create", "--tokens-file", file.toString(), "--scopes", "read,ingest", "--name",
                "ci")).as(err.toString()).isZero();
        String secret = out.toString().trim();
        assertThat(secret).startsWith(Tokens.PREFIX).doesNotContain("\n");
        assertThat(err.toString()).contains("created token 'ci' with scopes read,ingest").contains("shown only now");
        assertThat(Files.readString(file)).doesNotContain(secret).contains("\"name\":\"ci\"");
        assertThat(Tokens.list(file)).singleElement().satisfies(t -> assertThat(t.scopes())
                .containsExactlyInAnyOrder(Scope.READ, Scope.INGEST));
        // an unnamed token gets the next free name; list shows names and scopes, never a token
        assertThat(run("token", "create", "--tokens-file", file.toString(), "--scopes", "admin")).isZero();
        assertThat(run("token", "list", "--tokens-file", file.toString(), "--format", "json")).isZero();
        assertThat(out.toString()).contains("\"name\":\"ci\",\"scopes\":[\"read\",\"ingest\"]")
                .contains("\"name\":\"token-2\",\"scopes\":[\"admin\"]").doesNotContain(secret)
                .doesNotContain("sha256");

        // bad input: an unknown scope, a taken name, a bad name, revoking what is not there
        assertThat(run("token", "create", "--tokens-file", file.toString(), "--scopes", "read,write")).isEqualTo(2);
        assertThat(err.toString()).contains("--scopes: unknown scope 'write' (expected read,ingest,admin)");
        assertThat(run("token", "create", "--tokens-file", file.toString(), "--scopes", "read", "--name", "ci"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("--name: a token named 'ci' exists already");
        assertThat(run("token", "create", "--tokens-file", file.toString(), "--scopes", "read", "--name", "a b"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("'a b'");
        assertThat(run("token", "revoke", "--tokens-file", file.toString(), "--name", "nobody")).isEqualTo(1);
        assertThat(err.toString()).contains("no token named 'nobody'");
        assertThat(run("token", "revoke", "--tokens-file", file.toString(), "--name", "ci")).isZero();
        assertThat(Tokens.list(file)).extracting(Tokens.Token::name).containsExactly("token-2");
    }

    @Test
    void everyClientCommand_sendsTheTokenFromTheFlagOrTheEnvironment_andTheFlagWins() throws IOException {
        Path file = write("trades.ndjson", trade("AAPL", 10, "2026-11-25T10:00:00Z")
                + trade("MSFT", 5, "2026-11-25T11:00:00Z"));
        String url = server.url();

        // 1. no token: the server's 401, and how to give the token
        assertThat(run("ingest", "--url", url, "--stream", "trades", file.toString())).isEqualTo(1);
        assertThat(err.toString()).contains("error: lines 1-2: HTTP 401: missing API token "
                + "(Authorization: Bearer ...) (give the server's token with --token or TANDEM_API_TOKEN)");
        assertThat(run("sql", "--url", url, "SELECT 1")).isEqualTo(1);
        assertThat(err.toString()).startsWith("error: missing API token");

        // 2. the flag
        assertThat(run("ingest", "--url", url, "--token", token, "--stream", "trades", file.toString()))
                .as(err.toString()).isZero();
        assertThat(out.toString()).contains("-> stream trades: 2 accepted, 0 rejected");

        // 3. the environment, and the flag over it either way
        assertThat(run(Map.of(Main.TOKEN_ENV, "wrong"), InputStream.nullInputStream(), "sql", "--url", url,
                "--token", token, "SELECT 1 AS one")).as(err.toString()).isZero();
        assertThat(run(Map.of(Main.TOKEN_ENV, token), InputStream.nullInputStream(), "sql", "--url", url,
                "--token", "wrong", "SELECT 1 AS one")).isEqualTo(1);
        assertThat(err.toString()).startsWith("error: unknown API token");

        // 4. batch and report with the environment's token: the hour is sealed, the batch covers the 25th
        tandem.awaitCaughtUp(java.time.Duration.ofSeconds(10));
        clock.set(Instant.parse("2026-11-26T01:00:05Z").toEpochMilli());
        Map<String, String> env = Map.of(Main.TOKEN_ENV, token);
        assertThat(run(env, InputStream.nullInputStream(), "batch", "--url", url)).as(err.toString()).isZero();
        assertThat(out.toString()).startsWith("batch run: published, version 1, ");
        assertThat(run(env, InputStream.nullInputStream(), "report", "run", "daily_volume", "--period",
                "2026-11-25", "--force", "--url", url)).as(err.toString()).isZero();
        assertThat(out.toString()).startsWith("wrote ").contains("(2 rows, ");
        assertThat(run(env, InputStream.nullInputStream(), "report", "list", "--url", url)).isZero();
        assertThat(out.toString()).startsWith("daily_volume  daily at 00:05  csv  1 file, last period 2026-11-25");
        assertThat(count()).isEqualTo("n,qty\r\n2,15\r\n");
    }

    @Test
    void ingest_readsStandardInput_andGzipFilesDecompressed() throws IOException {
        String url = server.url();
        InputStream stdin = new ByteArrayInputStream((trade("A", 1, "2026-11-25T10:00:00Z")
                + trade("B", 2, "2026-11-25T10:01:00Z") + "\n" + trade("C", 4, "2026-11-25T10:02:00Z"))
                .getBytes(StandardCharsets.UTF_8));
        assertThat(run(Map.of(), stdin, "ingest", "--url", url, "--token", token, "--stream", "trades", "-"))
                .as(err.toString()).isZero();
        assertThat(out.toString()).startsWith("- -> stream trades: 3 accepted, 0 rejected");

        Path ndjson = gzip("more.ndjson.gz", trade("D", 8, "2026-11-25T10:03:00Z"));
        assertThat(run("ingest", "--url", url, "--token", token, "--stream", "trades", ndjson.toString()))
                .as(err.toString()).isZero();
        assertThat(out.toString()).contains("1 accepted, 0 rejected");
        // the progress counts answered lines out of the decompressed file's
        assertThat(err.toString()).contains("ingest " + ndjson + ": 100% answered, 1 accepted, 0 rejected");

        Path csv = gzip("more.csv.gz", "symbol,price,qty,ts\nE,1.0,16,2026-11-25T10:04:00Z\n"
                + "F,1.0,32,2026-11-25T10:05:00Z\n");
        assertThat(run("ingest", "--url", url, "--token", token, "--stream", "trades", csv.toString()))
                .as(err.toString()).isZero();
        assertThat(out.toString()).contains("2 accepted, 0 rejected");

        InputStream csvIn = new ByteArrayInputStream("symbol,price,qty,ts\nG,1.0,64,2026-11-25T10:06:00Z\n"
                .getBytes(StandardCharsets.UTF_8));
        assertThat(run(Map.of(), csvIn, "ingest", "--url", url, "--token", token, "--stream", "trades",
                "--format", "csv", "-")).as(err.toString()).isZero();

        tandem.awaitCaughtUp(java.time.Duration.ofSeconds(10));
        clock.set(Instant.parse("2026-11-26T01:00:05Z").toEpochMilli());
        assertThat(tandem.runBatch(false).join().status()).isEqualTo("published");
        assertThat(count()).isEqualTo("n,qty\r\n7,127\r\n");
    }

    @Test
    void ingest_ofAMissingFile_saysNoSuchFile() {
        int code = run("ingest", "--url", server.url(), "--stream", "trades", dir.resolve("nofile.ndjson").toString());

        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).isEqualTo("error: " + dir.resolve("nofile.ndjson") + ": no such file\n");
    }

    @Test
    void everyClientCommand_withNoServerThere_saysItCannotReachIt() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        String url = "http://127.0.0.1:" + port;
        Path file = write("one.ndjson", trade("A", 1, "2026-11-25T10:00:00Z"));
        String[][] commands = {
                {"batch", "--url", url},
                {"ingest", "--url", url, "--stream", "trades", file.toString()},
                {"sql", "--url", url, "SELECT 1"},
                {"report", "list", "--url", url},
                {"report", "run", "daily_volume", "--period", "2026-11-25", "--url", url},
        };
        for (String[] command : commands) {
            assertThat(run(command)).as(String.join(" ", command)).isEqualTo(1);
            assertThat(err.toString()).as(String.join(" ", command))
                    .contains("error: cannot reach " + url + " (is `tandem serve` running there?)\n")
                    .doesNotContain("Exception");
        }
    }

    @Test
    void version_isTheBuildsVersion() {
        assertThat(run("--version")).isZero();
        assertThat(out.toString()).matches("tandem \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?\n");
    }

    @Test
    void commandsThatOnlyGroupOthers_runBare_exit2WithTheirUsage() {
        assertThat(run()).isEqualTo(2);
        assertThat(err.toString()).startsWith("Missing a command: one of demo, serve, validate, config-reference, "
                + "plan, ingest, replay, query, status, batch, sql, search, report, bench, cluster, token, help")
                .contains("Usage: tandem [-hV] [COMMAND]");
        assertThat(run("report")).isEqualTo(2);
        assertThat(err.toString()).contains("Usage: tandem report").contains("run", "list");
        assertThat(run("bench")).isEqualTo(2);
        assertThat(err.toString()).contains("Usage: tandem bench").contains("hot", "ingest", "batch");
        assertThat(run("cluster")).isEqualTo(2);
        assertThat(err.toString()).contains("Usage: tandem cluster").contains("up", "status", "down");
        assertThat(run("token")).isEqualTo(2);
        assertThat(err.toString()).contains("Usage: tandem token").contains("create", "list", "revoke");
        assertThat(out.toString()).isEmpty();
    }
}
