package io.tandem.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tandem.core.config.ConfigLoader;
import io.tandem.engine.Tandem;
import io.tandem.engine.TandemOptions;
import io.tandem.engine.sql.SqlService;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A corpus of ways out of the SQL sandbox and of ways to exhaust it, sent to {@code POST /v1/sql} of a real server on
 * port 0: files outside the lake through {@code ..}, a symbolic link placed inside the lake that points outside,
 * {@code glob}, {@code read_text}/{@code read_blob} and the other readers, SQL hidden in a string, {@code getenv},
 * the functions and statements that show or change settings, endless recursive CTEs, cross joins that explode,
 * {@code range(1e12)}. Each is a 400 whose {@code error} names the reason (the refused function or statement, the
 * file outside the lake, the link, the time limit; not yet the memory limit, see {@link #MEMORY}), or, for the row
 * limit, the first
 * {@link SqlService#DEFAULT_MAX_ROWS} rows marked {@code truncated}; a query past the ones that run at once is a
 * 429. Nothing is a 5xx, and the sandbox answers {@code SELECT 1} afterwards.
 *
 * <p>The refusals are sent again in {@code -Dtandem.campaign.tries} disguised rounds (default
 * {@value #DEFAULT_ROUNDS}): keywords and function names in another case, comments and line breaks between tokens,
 * the query wrapped in a subquery. The seed: {@code -Dtandem.campaign.seed}.
 */
@Tag("slow")
class SqlSandboxCampaignTest {

    static final int DEFAULT_ROUNDS = 20;
    static final int ROUNDS = Integer.getInteger("tandem.campaign.tries", DEFAULT_ROUNDS);
    static final long SEED = Long.getLong("tandem.campaign.seed", 20261203L);
    static final Duration HANG = Duration.ofSeconds(60);
    static final String CONFIG = """
            epoch: 1h
            duckdb: {memory_limit: 256 MiB, threads: 2}
            streams:
              trades:
                time: ts
                fields: {symbol: string, price: double, qty: long}
            views:
              trades_1m:
                from: trades
                group_by: [symbol]
                granularity: 1m
                measures:
                  trades: count
            """;
    static final ObjectMapper JSON = new ObjectMapper();
    static final Pattern STRING = Pattern.compile("'(?:[^']|'')*'");

    static final String REFUSED = " is refused here: the SQL reads the lake and the batch views as Parquet";
    static final String IN_A_STRING = " is refused here: it runs SQL given as a string";
    static final String STATEMENT = "only a single read-only query is allowed";
    static final String OUTSIDE = "file access outside the lake is refused: Permission Error";
    static final String TIME = "query cancelled: it ran past the time limit of 10 s";
    /**
     * What a query stopped by the memory limit is answered today. DuckDB's JDBC driver words every error raised while
     * a streamed result runs so, running out of memory included (see RELIABILITY.md, "SQL sandbox").
     */
    static final String MEMORY = "Invalid Input Error: Invalid result set";

    /** One escape: its SQL ({@code LAKE}, {@code VIEWS}, {@code OUTSIDE} stand for those folders), and its reason. */
    record Escape(String kind, String sql, String reason) {
    }

    @TempDir
    Path dir;
    Path lake;
    Path views;
    Path outside;
    Tandem tandem;
    TandemServer server;
    final HttpClient http = HttpClient.newHttpClient();
    final Random random = new Random(SEED);
    final Map<String, Integer> stopped = new TreeMap<>();
    int sent;

    @BeforeEach
    void start() throws IOException, SQLException {
        tandem = Tandem.start(ConfigLoader.parse(CONFIG, "sandbox.yaml"), TandemOptions.defaults(dir)
                .withPartitions(1));
        server = TandemServer.start(tandem, ServerOptions.loopback(0));
        lake = dir.resolve("lake");
        views = dir.resolve("batch");
        outside = Files.createDirectories(dir.resolve("outside"));
        // a secret outside the lake, written by a DuckDB of its own, and files inside that are not Parquet
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement st = c.createStatement()) {
            st.execute("COPY (SELECT 'secret' AS s) TO '" + outside.resolve("secret.parquet") + "' (FORMAT parquet)");
        }
        Files.writeString(lake.resolve("notes.txt"), "secret\n");
        Files.writeString(views.resolve("history.jsonl"), "{\"secret\": 1}\n");
    }

    @AfterEach
    void stop() {
        server.close();
        tandem.close();
    }

    static List<Escape> refusals() {
        List<Escape> e = new ArrayList<>();
        // files outside the lake through ..
        for (String path : List.of("LAKE/../outside/secret.parquet", "LAKE/trades/../../outside/secret.parquet",
                "LAKE/../../../../../../../etc/passwd", "VIEWS/../outside/*.parquet", "/etc/*", "/proc/self/environ",
                "OUTSIDE/secret.parquet")) {
            e.add(new Escape("outside the lake", "SELECT * FROM read_parquet('" + path + "')", OUTSIDE));
            e.add(new Escape("outside the lake", "SELECT * FROM '" + path + "'", path.endsWith("passwd")
                    || path.endsWith("environ") || path.endsWith("*") ? "is refused here" : OUTSIDE));
        }
        e.add(new Escape("outside the lake", "SELECT * FROM read_parquet(['LAKE/../outside/secret.parquet'])",
                OUTSIDE));
        e.add(new Escape("outside the lake", "SELECT * FROM parquet_metadata('LAKE/../outside/secret.parquet')",
                OUTSIDE));
        e.add(new Escape("outside the lake", "SELECT * FROM parquet_schema('/etc/passwd')", OUTSIDE));
        // glob, read_text, read_blob and the other readers, inside the lake and out
        for (String fn : List.of("glob", "read_text", "read_blob", "read_csv", "read_csv_auto", "read_json",
                "read_json_auto", "read_ndjson", "read_json_objects", "sniff_csv")) {
            for (String path : List.of("/etc/passwd", "LAKE/notes.txt", "VIEWS/history.jsonl", "LAKE/**")) {
                e.add(new Escape(fn, "SELECT * FROM " + fn + "('" + path + "')", fn + REFUSED));
            }
        }
        e.add(new Escape("read_text", "SELECT length(read_text('/etc/passwd')) FROM range(1)", "read_text"
                + REFUSED));
        e.add(new Escape("file as table", "SELECT * FROM 'VIEWS/history.jsonl'", "is refused here"));
        e.add(new Escape("file as table", "SELECT * FROM 'LAKE/*.txt'", "is refused here"));
        // SQL hidden in a string
        e.add(new Escape("query", "SELECT * FROM query('SELECT content FROM read_text(''LAKE/notes.txt'')')",
                "query" + IN_A_STRING));
        e.add(new Escape("query", "SELECT * FROM query('SELECT current_setting(''allowed_directories'')')",
                "query" + IN_A_STRING));
        e.add(new Escape("query", "SELECT * FROM query_table('trades')", "query_table" + IN_A_STRING));
        // getenv and the settings
        e.add(new Escape("getenv", "SELECT getenv('HOME')", "getenv" + REFUSED));
        e.add(new Escape("getenv", "SELECT * FROM query('SELECT getenv(''HOME'')')", "query" + IN_A_STRING));
        for (String fn : List.of("current_setting('allowed_directories')", "current_setting('temp_directory')")) {
            e.add(new Escape("settings", "SELECT " + fn, "current_setting" + REFUSED));
        }
        for (String fn : List.of("duckdb_settings", "duckdb_secrets", "duckdb_databases", "duckdb_extensions",
                "duckdb_temporary_files")) {
            e.add(new Escape("settings", "SELECT * FROM " + fn + "()", fn + REFUSED));
        }
        e.add(new Escape("settings", "SELECT * FROM which_secret('s3://x/y', 's3')", "which_secret" + REFUSED));
        // statements that change settings, write, attach or load
        for (String statement : List.of("SET enable_external_access = true", "SET allowed_directories = ['/']",
                "RESET lock_configuration", "SET memory_limit = '100GB'", "PRAGMA threads = 1",
                "INSTALL httpfs", "LOAD httpfs", "ATTACH 'OUTSIDE/x.db' AS x", "COPY (SELECT 1) TO 'OUTSIDE/x.csv'",
                "EXPORT DATABASE 'OUTSIDE/db'", "CREATE TABLE t AS SELECT 1", "SELECT 1; SET threads = 1",
                "CALL pragma_version()")) {
            e.add(new Escape("statement", statement, STATEMENT));
        }
        e.add(new Escape("range(1e12)", "SELECT * FROM range(1e12)", "No function matches the given name and "
                + "argument types 'range(DOUBLE)'"));
        return e;
    }

    static List<Escape> limits() {
        return List.of(
                new Escape("time limit", "WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t) "
                        + "SELECT count(*) FROM t", TIME),
                new Escape("time limit", "SELECT count(*) FROM range(1000000) a, range(1000000) b, "
                        + "range(1000000) c", TIME),
                new Escape("time limit", "SELECT count(*) FROM range(1e12::BIGINT)", TIME),
                new Escape("memory limit", "SELECT length(string_agg(repeat('x', 1000), ',')) FROM "
                        + "range(10000000)", MEMORY),
                new Escape("memory limit", "SELECT length(list(a.range)::VARCHAR) FROM range(100000) a, "
                        + "range(10000) b", MEMORY),
                new Escape("memory limit", "WITH RECURSIVE t(n, s) AS (SELECT 1, 'x' UNION ALL SELECT n + 1, "
                        + "s || s FROM t) SELECT max(length(s)) FROM t", MEMORY));
    }

    @Test
    void everyEscapeIsRefusedOrStopped_withA400ThatSaysWhy() throws Exception {
        long started = System.nanoTime();
        List<String> findings = new ArrayList<>();

        // 1. the refusals, plain and then disguised
        for (int round = 0; round <= ROUNDS; round++) {
            for (Escape e : refusals()) {
                String sql = round == 0 ? fill(e.sql()) : disguise(fill(e.sql()));
                expect400(e, sql, findings);
            }
        }

        // 2. the limits, as many at once as the sandbox runs: one more is a 429
        List<Escape> limits = limits();
        for (int from = 0; from < limits.size(); from += SqlService.MAX_CONCURRENT) {
            List<CompletableFuture<String>> running = new ArrayList<>();
            for (Escape e : limits.subList(from, Math.min(limits.size(), from + SqlService.MAX_CONCURRENT))) {
                running.add(CompletableFuture.supplyAsync(() -> {
                    List<String> own = new ArrayList<>();
                    expect400(e, e.sql(), own);
                    return String.join("; ", own);
                }));
            }
            if (running.size() == SqlService.MAX_CONCURRENT) {
                Awaitility.await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
                        .until(() -> busy(findings));
            }
            running.forEach(f -> findings.add(f.join()));
        }

        // 3. the row limit: the first rows, marked truncated
        HttpResponse<String> rows = post("SELECT * FROM range(1e12::BIGINT)");
        sent++;
        JsonNode answer = JSON.readTree(rows.body());
        assertThat(rows.statusCode()).isEqualTo(200);
        assertThat(answer.get("rows")).hasSize((int) SqlService.DEFAULT_MAX_ROWS);
        assertThat(answer.get("truncated").asBoolean()).isTrue();
        stopped.merge("row limit", 1, Integer::sum);

        // 4. a symbolic link inside the lake that points outside stops every query until it is gone
        Path link = Files.createSymbolicLink(lake.resolve("escape"), outside);
        Escape symlink = new Escape("symbolic link", "SELECT * FROM read_parquet('LAKE/escape/*.parquet')",
                "the SQL is refused while the lake or the batch views hold a symbolic link, which could lead out of "
                        + "them: " + link);
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> error(post(fill(symlink.sql())))
                .equals(symlink.reason() + "; remove it"));
        expect400(symlink, "SELECT 1", findings);
        Files.delete(link);
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> post("SELECT 1").statusCode() == 200);

        findings.removeIf(String::isEmpty);
        assertThat(findings).isEmpty();
        assertThat(post("SELECT 42 AS answer").body()).contains("[[42]]");
        HttpResponse<String> status = http.send(HttpRequest.newBuilder(URI.create(server.url() + "/v1/status"))
                .timeout(HANG).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(status.statusCode()).isEqualTo(200);
        int total = stopped.values().stream().mapToInt(Integer::intValue).sum();
        System.out.printf("sql-sandbox: %d escapes over HTTP (%d kinds, %d disguised rounds), %d refused or "
                        + "stopped %s, 0 5xx (seed %d, %d s)%n", sent, stopped.size(), ROUNDS, total, stopped, SEED,
                Duration.ofNanos(System.nanoTime() - started).toSeconds());
    }

    private void expect400(Escape e, String sql, List<String> findings) {
        try {
            HttpResponse<String> r = post(sql);
            synchronized (this) {
                sent++;
            }
            String error = error(r);
            if (r.statusCode() != 400 || !error.contains(e.reason())) {
                findings.add(e.kind() + ": " + sql + " -> " + r.statusCode() + " " + r.body());
            } else {
                synchronized (this) {
                    stopped.merge(e.kind(), 1, Integer::sum);
                }
            }
        } catch (IOException | InterruptedException ex) {
            findings.add(e.kind() + ": " + sql + " -> " + ex);
        }
    }

    /** Whether a query sent now is refused because the sandbox runs its most queries already. */
    private boolean busy(List<String> findings) throws IOException, InterruptedException {
        HttpResponse<String> r = post("SELECT 1");
        if (r.statusCode() == 200) {
            return false;
        }
        sent++;
        if (r.statusCode() != 429 || !r.headers().firstValue("Retry-After").isPresent()
                || !error(r).contains(SqlService.MAX_CONCURRENT + " queries are running")) {
            findings.add("busy: " + r.statusCode() + " " + r.body());
        } else {
            stopped.merge("busy", 1, Integer::sum);
        }
        return true;
    }

    private HttpResponse<String> post(String sql) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(server.url() + "/v1/sql")).timeout(HANG)
                .header("Content-Type", "text/plain").POST(HttpRequest.BodyPublishers.ofString(sql)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String error(HttpResponse<String> r) throws IOException {
        return JSON.readTree(r.body()).path("error").path("message").asText("");
    }

    private String fill(String sql) {
        return sql.replace("LAKE", lake.toString()).replace("VIEWS", views.toString())
                .replace("OUTSIDE", outside.toString());
    }

    /** The same SQL in another case, with comments and line breaks between tokens, perhaps inside a subquery. */
    private String disguise(String sql) {
        StringBuilder out = new StringBuilder();
        Matcher m = STRING.matcher(sql);
        int at = 0;
        boolean upper = random.nextBoolean();
        while (at < sql.length()) {
            boolean found = m.find(at);
            String code = sql.substring(at, found ? m.start() : sql.length());
            out.append(upper ? code.toUpperCase(java.util.Locale.ROOT) : code.toLowerCase(java.util.Locale.ROOT))
                    .append(found ? m.group() : "");
            at = found ? m.end() : sql.length();
        }
        String text = out.toString().replace(" ", random.nextBoolean() ? " /* ; */\n\t" : "  -- ;\n ")
                .replace("(", random.nextBoolean() ? " (" : "(/**/");
        boolean query = text.stripLeading().toUpperCase(java.util.Locale.ROOT).startsWith("SELECT")
                && !text.contains(";");
        return query && random.nextBoolean() ? "SELECT * FROM (" + text + "\n) AS disguised" : text;
    }
}
