package io.tandem.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tandem.core.FieldType;
import io.tandem.core.config.ConfigException;
import io.tandem.core.config.ConfigLoader;
import io.tandem.core.expr.CelCondition;
import io.tandem.engine.Tandem;
import io.tandem.engine.TandemOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hostile input over every surface that takes it, against a real server on port 0 (HTTP with java.net.http, and raw
 * sockets for what that client will not send) and in process for the config loader and CEL conditions: deep
 * nesting, huge numbers, invalid UTF-8, 1 MB idempotency keys, 10,000 repeated query parameters, ranges of 1,000
 * years at one-minute granularity, Lucene and SQL soup. Every answer is below 500 and, when it is an error, has the
 * server's one error shape {@code {"error": {"code", "message"}}} (with ingest's per-line errors); none takes
 * longer than {@link #HANG}; the heap after a collection grows by at most {@link #MAX_HEAP_GROWTH_MIB} MiB; the
 * server still answers
 * {@code /v1/status}; the loader throws only
 * {@link ConfigException}, and CEL only {@link IllegalArgumentException}.
 *
 * <p>Inputs per surface: {@code -Dtandem.campaign.tries} (default {@value #DEFAULT_TRIES}); the seed:
 * {@code -Dtandem.campaign.seed}.
 */
@Tag("slow")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileInputCampaignTest {

    static final int DEFAULT_TRIES = 1_500;
    static final int TRIES = Integer.getInteger("tandem.campaign.tries", DEFAULT_TRIES);
    static final long SEED = Long.getLong("tandem.campaign.seed", 20261203L);
    static final Duration HANG = Duration.ofSeconds(30);
    static final long MAX_HEAP_GROWTH_MIB = 256;
    static final int MAX_BODY = 1 << 20;
    /** Jetty's default limit of a request's line and headers. */
    static final int HEADER_LIMIT = 8_192;
    static final String CONFIG = """
            epoch: 1h
            streams:
              trades:
                time: ts
                fields: {symbol: string, price: double, qty: long}
              news:
                time: ts
                fields: {headline: string, source: string}
            views:
              trades_1m:
                from: trades
                group_by: [symbol]
                granularity: 1m
                where: qty > 0
                measures:
                  trades: count
                  volume: sum(qty)
                  high: max(price)
            indexes:
              headlines:
                stream: news
                fields: [headline, source]
            alerts:
              big:
                view: trades_1m
                on: close
                condition: volume > 1000 && prev[0].volume < 10
            """;
    static final String VALID = "{\"ts\":\"2026-12-01T00:00:00Z\",\"symbol\":\"A\",\"price\":1.5,\"qty\":1}";
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    Tandem tandem;
    TandemServer server;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(HANG).build();
    final Random random = new Random(SEED);
    final List<String> findings = new ArrayList<>();
    int inputs;
    int surfaces;
    int fiveHundreds;
    int hangs;
    /** Requests with headers beyond the limit whose connection the server closed while they were being sent. */
    int closed;
    long heapBaseline;
    long maxHeapGrowth;
    long startedNanos;

    @BeforeAll
    void start() {
        startedNanos = System.nanoTime();
        tandem = Tandem.start(ConfigLoader.parse(CONFIG, "campaign.yaml"), TandemOptions.defaults(dir)
                .withPartitions(2));
        server = TandemServer.start(tandem, new ServerOptions("127.0.0.1", 0, MAX_BODY, null));
        heapBaseline = heapAfterGc();
    }

    @AfterAll
    void stop() {
        server.close();
        tandem.close();
        System.out.printf("hostile-input: %d inputs over %d surfaces, %d 5xx, %d hangs, max heap growth %d MiB, "
                        + "%d closed while sending headers beyond the limit (seed %d, %d s)%n", inputs, surfaces,
                fiveHundreds, hangs, maxHeapGrowth >> 20, closed, SEED,
                Duration.ofNanos(System.nanoTime() - startedNanos).toSeconds());
    }

    // ---- surfaces over HTTP -----------------------------------------------------------------------------------

    @Test
    void ndjsonBodies() {
        campaign("ndjson bodies", () -> {
            byte[] body = body();
            String type = random.nextInt(8) == 0 ? "application/json" : "application/x-ndjson";
            send(HttpRequest.newBuilder(uri("/v1/streams/trades/events")).header("Content-Type", type)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)), describe(body));
        });
    }

    @Test
    void ingestHeaders() {
        campaign("ingest headers", () -> {
            HttpRequest.Builder b = HttpRequest.newBuilder(uri("/v1/streams/" + pick("trades", "news", "nope",
                    "tr%C3%A4des", "..", "%2e%2e") + "/events")).POST(HttpRequest.BodyPublishers.ofString(VALID));
            StringBuilder what = new StringBuilder();
            boolean beyondLimit = false;
            if (random.nextBoolean()) {
                String key = headerText(size(1, 200, 201, 8_000, 1 << 20));
                beyondLimit = key.length() >= HEADER_LIMIT - 200;
                b.header("Idempotency-Key", key);
                what.append("Idempotency-Key of ").append(key.length()).append(" chars; ");
            }
            if (random.nextBoolean()) {
                // a session's first number, or one that does not parse: a later number would wait for the ones before
                String seq = pick("s" + inputs + "/0", "/0", "s/-1", "s/", "s/99999999999999999999", "a/b/c",
                        headerText(300) + "/x", "s/1e9", "s" + inputs + "/000000000000000000");
                b.header(TandemServer.SEQUENCE_HEADER, seq);
                what.append("sequence ").append(abbreviate(seq)).append("; ");
            }
            String type = pick("application/x-ndjson", "application/json; charset=utf-16", "text/plain", "",
                    "application/x-ndjson;;;", headerText(2_000));
            if (!type.isEmpty()) {
                b.header("Content-Type", type);
            }
            send(b, what + "type " + abbreviate(type), beyondLimit);
        });
    }

    @Test
    void viewQueryParameters() {
        campaign("view query parameters", () -> {
            String query;
            switch (random.nextInt(6)) {
                case 0 -> query = "from=1026-12-01T00:00:00Z&to=2026-12-01T00:00:00Z&granularity=1m";
                case 1 -> query = repeated(pick("symbol", "from", "x"), size(2, 100, 1_000, 10_000))
                        + "&from=0&to=60000";
                default -> {
                    StringBuilder q = new StringBuilder();
                    q.append("from=").append(enc(time())).append("&to=").append(enc(time()));
                    if (random.nextBoolean()) {
                        q.append("&granularity=").append(enc(duration()));
                    }
                    if (random.nextBoolean()) {
                        q.append('&').append(enc(pick("symbol", "qty", "nope", "", "symbol[]"))).append('=')
                                .append(enc(text()));
                    }
                    query = q.toString();
                }
            }
            String view = pick("trades_1m", "trades_1m", "nope", "%00", "trades_1m%2F..");
            send(HttpRequest.newBuilder(uri("/v1/views/" + view + "?" + query)).GET(), view + "?" + query);
        });
    }

    @Test
    void listParameters() {
        campaign("list parameters", () -> {
            String path = pick("/v1/alerts", "/v1/analyses", "/v1/streams/trades/dead-letters", "/v1/plan",
                    "/v1/alerts/rules", "/v1/analyses/status", "/v1/search", "/v1/batch", "/v1/reconciliation",
                    "/v1/views/trades_1m/live", "/v1/analyses/" + enc(text()), "/v1/alerts/dead-letters");
            StringBuilder q = new StringBuilder();
            int n = random.nextInt(4);
            for (int i = 0; i < n; i++) {
                q.append(i == 0 ? "" : "&").append(enc(pick("from", "to", "limit", "rule", "analysis", "anomalous",
                        "symbol", "last_event_id", text()))).append('=').append(enc(pick(time(), text(), number())));
            }
            HttpRequest.Builder b = HttpRequest.newBuilder(uri(path + (n == 0 ? "" : "?" + q))).GET();
            if (random.nextInt(4) == 0) {
                b.header("Last-Event-ID", headerText(size(1, 30, 5_000)));
            }
            send(b, path + "?" + q);
        });
    }

    @Test
    void luceneQueries() {
        campaign("lucene queries", () -> {
            String q = lucene();
            String query = "q=" + enc(q) + (random.nextInt(4) == 0 ? "&from=" + enc(time()) : "")
                    + (random.nextInt(4) == 0 ? "&limit=" + enc(number()) : "");
            send(HttpRequest.newBuilder(uri("/v1/search/headlines?" + query)).GET(), "q=" + q);
        });
    }

    @Test
    void sqlText() {
        campaign("sql text", () -> {
            String sql = sql();
            boolean json = random.nextInt(4) == 0;
            String body = json ? pick("{\"sql\": " + JSON.valueToTree(sql) + "}", "{\"sql\": 1}", "[", "{}",
                    "{\"sql\": " + "[".repeat(5_000) + "}") : sql;
            send(HttpRequest.newBuilder(uri("/v1/sql")).header("Content-Type", json ? "application/json"
                    : "text/plain").POST(HttpRequest.BodyPublishers.ofString(body)), abbreviate(body));
        });
    }

    @Test
    void rawRequests() {
        campaign("raw requests", () -> {
            byte[] request = rawRequest();
            raw(request, abbreviate(new String(request, StandardCharsets.ISO_8859_1)));
        });
    }

    // ---- surfaces in process ----------------------------------------------------------------------------------

    @Test
    void configFiles() {
        campaign("config files", () -> {
            String yaml = yaml();
            inputs++;
            try {
                ConfigLoader.parse(yaml, "fuzz.yaml");
            } catch (ConfigException expected) {
                if (expected.getMessage() == null || expected.getMessage().isBlank()) {
                    findings.add("config: blank message for " + abbreviate(yaml));
                }
            } catch (RuntimeException | StackOverflowError e) {
                findings.add("config: " + e + " for " + abbreviate(yaml));
            }
        });
    }

    @Test
    void celConditions() {
        Map<String, FieldType> vars = Map.of("price", FieldType.DOUBLE, "qty", FieldType.LONG, "symbol",
                FieldType.STRING, "ok", FieldType.BOOLEAN, "ts", FieldType.TIMESTAMP);
        campaign("cel conditions", () -> {
            String expression = cel();
            inputs++;
            try {
                CelCondition c = random.nextBoolean() ? CelCondition.compile(expression, vars)
                        : CelCondition.overBuckets(expression, vars);
                c.test(Map.of("price", Double.NaN, "qty", Long.MIN_VALUE, "symbol", text(), "ts", Long.MAX_VALUE,
                        CelCondition.PREV, List.of(Map.of("qty", "x"))));
            } catch (IllegalArgumentException expected) {
                if (!expected.getMessage().startsWith("invalid condition")) {
                    findings.add("cel: unclear message " + abbreviate(expected.getMessage()));
                }
            } catch (RuntimeException | StackOverflowError e) {
                findings.add("cel: " + e + " for " + abbreviate(expression));
            }
        });
    }

    // ---- the campaign -----------------------------------------------------------------------------------------

    /** Runs {@link #TRIES} inputs of one surface, then checks the server answers and the heap has not grown. */
    private void campaign(String surface, Runnable oneInput) {
        surfaces++;
        findings.clear();
        for (int i = 0; i < TRIES; i++) {
            oneInput.run();
        }
        try {
            HttpResponse<String> status = http.send(HttpRequest.newBuilder(uri("/v1/status")).timeout(HANG).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(status.statusCode()).as("/v1/status after " + surface).isEqualTo(200);
        } catch (IOException | InterruptedException e) {
            throw new AssertionError("/v1/status after " + surface + ": " + e, e);
        }
        long growth = heapAfterGc() - heapBaseline;
        maxHeapGrowth = Math.max(maxHeapGrowth, growth);
        assertThat(growth >> 20).as("heap growth after " + surface + " (MiB)").isLessThan(MAX_HEAP_GROWTH_MIB);
        assertThat(findings).as(surface).isEmpty();
    }

    private void send(HttpRequest.Builder request, String what) {
        send(request, what, false);
    }

    /**
     * @param beyondLimit whether the request's headers exceed Jetty's limit, so that the server may answer 431 and
     *                    close while they are still being sent, and the client see only the connection end
     */
    private void send(HttpRequest.Builder request, String what, boolean beyondLimit) {
        inputs++;
        try {
            HttpResponse<String> r = http.send(request.timeout(HANG).build(), HttpResponse.BodyHandlers.ofString());
            check(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), r.body(), what);
        } catch (HttpTimeoutException e) {
            hangs++;
            findings.add("no answer within " + HANG.toSeconds() + " s: " + abbreviate(what));
        } catch (IOException e) {
            closedEarly(beyondLimit, e, what);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } catch (IllegalArgumentException clientRefuses) {
            // java.net.http refuses to send it (a header value it deems illegal): the raw surface covers those
            inputs--;
        }
    }

    /** Sends bytes over a socket of its own and reads the answer to the end (every raw request closes). */
    private void raw(byte[] request, String what) {
        inputs++;
        String text = new String(request, StandardCharsets.ISO_8859_1);
        boolean beyondLimit = text.indexOf("\r\n\r\n") > HEADER_LIMIT;
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout((int) HANG.toMillis());
            OutputStream out = s.getOutputStream();
            out.write(request);
            out.flush();
            byte[] answer = readAnswer(s.getInputStream());
            String head = new String(answer, StandardCharsets.ISO_8859_1);
            if (!head.startsWith("HTTP/1.1 ")) {
                findings.add("no HTTP answer (" + abbreviate(head) + "): " + what);
                return;
            }
            int status = Integer.parseInt(head.substring(9, 12));
            int headerEnd = head.indexOf("\r\n\r\n");
            String headers = head.substring(0, Math.max(0, headerEnd)).toLowerCase(java.util.Locale.ROOT);
            String type = headers.lines().filter(l -> l.startsWith("content-type:")).findFirst()
                    .map(l -> l.substring(13).trim()).orElse("");
            String body = headerEnd < 0 ? "" : new String(answer, headerEnd + 4, answer.length - headerEnd - 4,
                    StandardCharsets.UTF_8);
            if (headers.contains("transfer-encoding: chunked")) {
                body = dechunk(body);
            }
            if (text.startsWith("HEAD ") && status < 500) {
                // an answer to HEAD has no body, so no error in it either
                return;
            }
            check(status, type, body, what);
        } catch (SocketTimeoutException e) {
            hangs++;
            findings.add("no answer within " + HANG.toSeconds() + " s: " + what);
        } catch (IOException e) {
            closedEarly(beyondLimit, e, what);
        }
    }

    private void closedEarly(boolean beyondLimit, IOException e, String what) {
        if (beyondLimit) {
            closed++;
        } else {
            findings.add("connection failed (" + e + "): " + abbreviate(what));
        }
    }

    private static byte[] readAnswer(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        try {
            for (int n = in.read(buf); n > 0; n = in.read(buf)) {
                out.write(buf, 0, n);
            }
        } catch (java.net.SocketException resetAfterAnswer) {
            if (out.size() == 0) {
                throw resetAfterAnswer;
            }
        }
        return out.toByteArray();
    }

    private static String dechunk(String chunked) {
        StringBuilder out = new StringBuilder();
        int at = 0;
        while (at < chunked.length()) {
            int eol = chunked.indexOf("\r\n", at);
            if (eol < 0) {
                break;
            }
            int size = Integer.parseInt(chunked.substring(at, eol).split(";")[0].trim(), 16);
            if (size == 0) {
                break;
            }
            out.append(chunked, eol + 2, Math.min(chunked.length(), eol + 2 + size));
            at = eol + 2 + size + 2;
        }
        return out.toString();
    }

    /** Below 500; an error has the API's one JSON shape, with a code and a reason in it. */
    private void check(int status, String contentType, String body, String what) {
        if (status >= 500) {
            fiveHundreds++;
            findings.add(status + " " + abbreviate(body) + " for " + abbreviate(what));
            return;
        }
        if (status < 400) {
            return;
        }
        try {
            JsonNode json = contentType.startsWith("application/json") ? JSON.readTree(body) : null;
            if (json == null || !hasReason(json)) {
                findings.add(status + " without a JSON error (" + contentType + ": " + abbreviate(body) + ") for "
                        + abbreviate(what));
            }
        } catch (IOException e) {
            findings.add(status + " with a body that is not JSON (" + abbreviate(body) + ") for " + abbreviate(what));
        }
    }

    /**
     * The one error shape: {@code {"error": {"code", "message", ...}}} with a code and a message; ingest's answer
     * with nothing accepted also lists each record's error.
     */
    private static boolean hasReason(JsonNode json) {
        JsonNode error = json.path("error");
        if (!error.path("code").isTextual() || !error.path("message").isTextual()
                || error.path("message").asText().isBlank()) {
            return false;
        }
        for (JsonNode e : json.path("errors")) {
            if (!e.path("error").isTextual() || e.path("error").asText().isBlank()) {
                return false;
            }
        }
        return true;
    }

    private static long heapAfterGc() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private URI uri(String pathAndQuery) {
        return URI.create(server.url() + pathAndQuery);
    }

    // ---- generators -------------------------------------------------------------------------------------------

    private byte[] body() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int lines = 1 + random.nextInt(4);
        for (int i = 0; i < lines; i++) {
            out.writeBytes(switch (random.nextInt(9)) {
                case 0 -> nested(size(10, 1_000, 100_000, 500_000)).getBytes(StandardCharsets.US_ASCII);
                case 1 -> ("{\"ts\":" + number() + ",\"symbol\":\"A\",\"qty\":" + number() + ",\"price\":" + number()
                        + "}").getBytes(StandardCharsets.US_ASCII);
                case 2 -> concat("{\"ts\":\"2026-12-01T00:00:00Z\",\"symbol\":\"".getBytes(StandardCharsets.US_ASCII),
                        invalidUtf8(), "\"}".getBytes(StandardCharsets.US_ASCII));
                case 3 -> randomBytes(random.nextInt(300));
                case 4 -> mutate(VALID.getBytes(StandardCharsets.UTF_8));
                case 5 -> ("{\"ts\":\"2026-12-01T00:00:00Z\",\"symbol\":\"" + "x".repeat(size(1_000, 200_000))
                        + "\"}").getBytes(StandardCharsets.US_ASCII);
                case 6 -> manyFields(size(100, 10_000)).getBytes(StandardCharsets.US_ASCII);
                case 7 -> ("{\"ts\":" + time().replace("\\", "") + ",\"symbol\":" + JSON.valueToTree(text()) + "}")
                        .getBytes(StandardCharsets.UTF_8);
                default -> VALID.getBytes(StandardCharsets.UTF_8);
            });
            out.write('\n');
        }
        if (random.nextInt(20) == 0) {
            out.writeBytes(new byte[MAX_BODY]);
        }
        return out.toByteArray();
    }

    private String nested(int depth) {
        return random.nextBoolean() ? "[".repeat(depth) + "]".repeat(depth)
                : "{\"ts\":".repeat(depth) + "0" + "}".repeat(depth);
    }

    private static String manyFields(int n) {
        StringBuilder b = new StringBuilder("{\"ts\":0");
        for (int i = 0; i < n; i++) {
            b.append(",\"f").append(i).append("\":").append(i);
        }
        return b.append('}').toString();
    }

    private String number() {
        return pick("9223372036854775807", "9223372036854775808", "-9223372036854775809", "1e400", "-1e400",
                "1" + "0".repeat(size(30, 5_000, 100_000)), "0." + "0".repeat(10_000) + "1", "1e-400", "NaN",
                "-0", "1e" + Integer.MAX_VALUE, "12345678901234567890.5", "0x10", "1_000", "Infinity",
                Long.toString(random.nextLong()), Double.toString(random.nextDouble() * 1e300));
    }

    private String time() {
        return pick("0", "-1", "9223372036854775807", "-9223372036854775808", "99999999999999999999",
                "+1000000000-01-01T00:00:00Z", "-1000000000-01-01T00:00:00Z", "2026-12-01T00:00:00Z",
                "2026-12-01", "2026-13-45T25:61:61Z", "1026-12-01T00:00:00Z", "2026-12-01T00:00:00+99:00", "",
                "1e20", "now", "1.5", text());
    }

    private String duration() {
        return pick("1m", "0s", "-1m", "1ms", "9999999999999999d", "106751991167d", "1m1m", "P1D", "1", "",
                "60000", "1h", "1d", "1w", "1y", "5000000w", text());
    }

    private String lucene() {
        return switch (random.nextInt(8)) {
            case 0 -> "(".repeat(size(10, 1_000, 50_000)) + "a" + ")".repeat(random.nextInt(3));
            case 1 -> pick("/(a+)+b/", "/.{1,1000}{1,1000}/", "/[a-z]{0,9999}/", "/((a|b)*c){50}/",
                    "headline:/.*/", "/" + "(a|aa)*".repeat(50) + "/");
            case 2 -> pick("*", "?", "*a*b*c*d*e*f*", "headline:" + "?".repeat(5_000), "a~2", "merger~" + number(),
                    "\"a b\"~" + number(), "a^" + number(), "[* TO *]", "headline:[a TO ]", "{a TO z]",
                    "source:" + "*".repeat(1_000));
            case 3 -> pick("AND", "OR", "NOT", "NOT NOT", "a AND", "+", "-", "\\", "\"", ":", "headline:",
                    "nope:x", "ts:[0 TO 1]", "_epoch:1", "a OR ".repeat(5_000) + "b");
            default -> {
                StringBuilder q = new StringBuilder();
                int n = 1 + random.nextInt(8);
                for (int i = 0; i < n; i++) {
                    q.append(pick("headline:", "source:", "", "", "+", "-", "(", ")", "\"", "*", "?", "~", "^2",
                            "[", "]", " TO ", " AND ", " OR ", "NOT ", "/", "\\", "{", "}", ":", text(), "merger",
                            "wire"));
                }
                yield q.toString();
            }
        };
    }

    private String sql() {
        return switch (random.nextInt(10)) {
            case 0 -> "SELECT " + "(".repeat(size(100, 5_000, 50_000)) + "1" + ")".repeat(random.nextInt(2) * 5_000);
            case 1 -> "SELECT " + number();
            case 2 -> "SELECT " + pick("'infinity'::TIMESTAMP", "'-infinity'::TIMESTAMP", "'infinity'::DATE",
                    "'294247-01-10 04:00:54'::TIMESTAMP", "'infinity'::TIMESTAMPTZ", "TIMESTAMP_NS '2026-01-01'",
                    "'12:00:00+05'::TIMETZ", "TIME '25:00:00'", "INTERVAL 1000000 YEAR", "uuid()",
                    "'0101'::BIT", "340282366920938463463374607431768211455::UHUGEINT",
                    "union_value(k := 1)", "[1, 2]::INTEGER[2]", "'a'::ENUM('a', 'b')", "'\\xFF'::BLOB",
                    "'NaN'::FLOAT", "{'a': {'b': [NULL]}}", "MAP {NULL: 1}", "'1.5'::DECIMAL(38, 37)",
                    "'5877642-06-25'::DATE", "'-infinity'::DATE", "TIMESTAMP '0001-01-01 00:00:00' - INTERVAL 1 DAY",
                    "make_timestamp(9223372036854775807)", "to_timestamp(1e18)", "'\\u0000'", "chr(0)",
                    "'\uD800'", "repeat('x', 100000)", "[x FOR x IN range(100000)]") + " AS v";
            case 3 -> "SELECT * FROM " + pick("trades", "news", "nope", "\"trades", "trades t1, trades t2",
                    "range(10) r(x) WHERE x = " + number());
            case 4 -> new String(randomBytes(random.nextInt(80)), StandardCharsets.ISO_8859_1);
            default -> {
                StringBuilder q = new StringBuilder();
                int n = 1 + random.nextInt(10);
                for (int i = 0; i < n; i++) {
                    q.append(pick("SELECT ", "FROM ", "WHERE ", "GROUP BY ", "1 ", "* ", "trades ", "(", ")", "'",
                            "\"", ";", "--", "/*", "UNION ", "WITH ", "AS ", "x ", ", ", number(), " ", "$1 ", "?",
                            "::", "VALUES ", "DESCRIBE ", "SUMMARIZE ", text()));
                }
                yield q.toString();
            }
        };
    }

    private byte[] rawRequest() {
        String host = "Host: 127.0.0.1:" + server.port() + "\r\n";
        String close = "Connection: close\r\n";
        byte[] bad = invalidUtf8();
        return switch (random.nextInt(14)) {
            case 0 -> concat(ascii("GET /v1/views/"), bad, ascii("?from=0&to=1 HTTP/1.1\r\n" + host + close
                    + "\r\n"));
            case 1 -> ascii("GET /v1/views/trades_1m?from=" + percent(bad) + "&to=1&symbol=" + percent(bad)
                    + " HTTP/1.1\r\n" + host + close + "\r\n");
            case 2 -> ascii("GET /v1/search/headlines?q=" + percent(bad) + " HTTP/1.1\r\n" + host + close + "\r\n");
            case 3 -> concat(ascii("POST /v1/streams/trades/events HTTP/1.1\r\n" + host + close
                    + "Content-Type: application/x-ndjson\r\nIdempotency-Key: "), bad,
                    ascii("\r\nContent-Length: " + VALID.length() + "\r\n\r\n" + VALID));
            case 4 -> {
                byte[] body = concat(ascii("{\"ts\":0,\"symbol\":\""), bad, ascii("\"}\n"));
                yield concat(ascii("POST /v1/streams/trades/events HTTP/1.1\r\n" + host + close
                        + "Content-Type: application/x-ndjson\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + Integer.toHexString(body.length) + "\r\n"), body, ascii("\r\n0\r\n\r\n"));
            }
            case 5 -> ascii("POST /v1/streams/trades/events HTTP/1.1\r\n" + host + close
                    + "Content-Type: application/x-ndjson\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n");
            case 6 -> ascii(pick("GARBAGE\r\n\r\n", "GET\r\n\r\n", "GET / HTTP/9.9\r\n" + host + "\r\n",
                    "GET /v1/status HTTP/1.1\r\n\r\n", "\r\n\r\nGET /v1/status HTTP/1.1\r\n" + host + close + "\r\n",
                    "GET /v1/status HTTP/1.0\r\n\r\n",
                    "GET /v1/%00/status HTTP/1.1\r\n" + host + close + "\r\n",
                    "GET /v1/../../etc/passwd HTTP/1.1\r\n" + host + close + "\r\n",
                    "GET /v1/%2e%2e/%2e%2e/etc/passwd HTTP/1.1\r\n" + host + close + "\r\n",
                    "GET /v1/views/trades_1m?from=%zz HTTP/1.1\r\n" + host + close + "\r\n",
                    "GET /v1/status?%" + " HTTP/1.1\r\n" + host + close + "\r\n",
                    "GET http://attacker.example/v1/status HTTP/1.1\r\n" + host + close + "\r\n",
                    "GET /v1/status HTTP/1.1\r\nHost: a\r\nHost: b\r\n" + close + "\r\n",
                    "GET /v1/status HTTP/1.1\r\n" + host + "Bad Header\r\n" + close + "\r\n"));
            case 7 -> ascii("POST /v1/streams/trades/events HTTP/1.1\r\n" + host + close
                    + "Content-Type: application/x-ndjson\r\nContent-Length: "
                    + pick("-1", "abc", "99999999999999999999", "1, 2", " ") + "\r\n\r\n");
            case 8 -> ascii("POST /v1/streams/trades/events HTTP/1.1\r\n" + host + close
                    + "Content-Type: application/x-ndjson\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}");
            case 9 -> ascii("GET /v1/views/trades_1m?" + repeated("symbol", size(1_000, 10_000)) + "&from=0&to=1"
                    + " HTTP/1.1\r\n" + host + close + "\r\n");
            case 10 -> ascii("GET /v1/status HTTP/1.1\r\n" + host + close + "X-A: a\r\n".repeat(size(100, 5_000))
                    + "\r\n");
            case 11 -> ascii("POST /v1/streams/trades/events HTTP/1.1\r\n" + host + close
                    + "Content-Type: application/x-ndjson\r\nIdempotency-Key: " + "k".repeat(1 << 20)
                    + "\r\nContent-Length: " + VALID.length() + "\r\n\r\n" + VALID);
            case 12 -> {
                byte[] sql = concat(ascii("SELECT '"), bad, ascii("' AS s"));
                yield concat(ascii("POST /v1/sql HTTP/1.1\r\n" + host + close + "Content-Type: text/plain\r\n"
                        + "Content-Length: " + sql.length + "\r\n\r\n"), sql);
            }
            default -> ascii(pick("DELETE", "PUT", "PATCH", "OPTIONS", "TRACE", "CONNECT", "BREW", "HEAD")
                    + " /v1/" + pick("status", "sql", "streams/trades/events", "views/trades_1m", "nope")
                    + " HTTP/1.1\r\n" + host + close + "Content-Length: 0\r\n\r\n");
        };
    }

    private String yaml() {
        String base = CONFIG;
        return switch (random.nextInt(8)) {
            case 0 -> base + "\nviews_extra: " + "[".repeat(size(100, 10_000)) + "\n";
            case 1 -> "a: &a [\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\"]\n"
                    + "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
                    + "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
                    + "streams: [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n";
            case 2 -> base.replace("1m", duration()).replace("1h", duration());
            case 3 -> base + "duckdb: {memory_limit: " + pick(number(), "99999999999999999999 GB", "-1 MB", "1 TB",
                    "9223372036854775807 GiB", text()) + ", threads: " + number() + "}\n";
            case 4 -> base.replace("qty > 0", cel()).replace("volume > 1000 && prev[0].volume < 10", cel());
            case 5 -> new String(mutate(base.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
            case 6 -> base.replace("trades", pick("", "a b", "\u0000", "x".repeat(10_000), "1", "_", "-", "ü"));
            default -> new String(randomBytes(random.nextInt(200)), StandardCharsets.UTF_8);
        };
    }

    private String cel() {
        return switch (random.nextInt(6)) {
            case 0 -> "(".repeat(size(10, 100, 1_000, 50_000)) + "qty > 0" + ")".repeat(size(0, 10, 100, 1_000));
            case 1 -> "qty > " + number();
            case 2 -> String.join(" && ", java.util.Collections.nCopies(size(10, 1_000, 20_000), "qty > 0"));
            case 3 -> pick("[1].all(x, [1].all(y, [1].all(z, true)))", "size(prev) > 0",
                    "prev[" + number() + "].qty > 0", "symbol.matches('(a+)+b')", "symbol.matches('[')",
                    "qty / 0 > 1", "qty % 0 == 0", "-9223372036854775808 / -1 > 0", "price == price",
                    "int(price) > 0", "ts > timestamp('2026-01-01T00:00:00Z')", "avg([]) > 0", "max(prev) > 0",
                    "has(prev.x)", "symbol + symbol == symbol", "string(qty) == symbol", "duration('1h') > 0",
                    "'" + "a".repeat(100_000) + "' == symbol", "double(symbol) > 0.0");
            default -> {
                StringBuilder e = new StringBuilder();
                int n = 1 + random.nextInt(8);
                for (int i = 0; i < n; i++) {
                    e.append(pick("qty", "price", "symbol", "ok", "ts", "prev", "[0]", ".", "(", ")", " > ", " < ",
                            " == ", " && ", " || ", "!", "-", "+", "1", "1.5", "'a'", "\"", "?", ":", "in ",
                            "size(", "has(", number(), text()));
                }
                yield e.toString();
            }
        };
    }

    private String text() {
        return switch (random.nextInt(5)) {
            case 0 -> "";
            case 1 -> new String(randomBytes(random.nextInt(20)), StandardCharsets.UTF_8);
            case 2 -> "\uD800\u0000\uFFFF\u202E" + "é".repeat(random.nextInt(3));
            case 3 -> "x".repeat(size(1, 100, 10_000));
            default -> Long.toString(random.nextLong(), 36);
        };
    }

    /** Invalid UTF-8: lone continuation bytes, overlong forms, surrogates, truncated sequences, bytes never valid. */
    private byte[] invalidUtf8() {
        return pick(new byte[] {(byte) 0x80}, new byte[] {(byte) 0xC0, (byte) 0x80},
                new byte[] {(byte) 0xE0, (byte) 0x80, (byte) 0xAF}, new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
                new byte[] {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, new byte[] {(byte) 0xE2, (byte) 0x82},
                new byte[] {(byte) 0xFF, (byte) 0xFE}, new byte[] {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80,
                        (byte) 0x80}, new byte[] {0});
    }

    private String headerText(int length) {
        StringBuilder b = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            b.append((char) (0x21 + random.nextInt(0x5E)));
        }
        return b.toString();
    }

    private byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private byte[] mutate(byte[] b) {
        byte[] copy = b.clone();
        int n = 1 + random.nextInt(4);
        for (int i = 0; i < n && copy.length > 0; i++) {
            copy[random.nextInt(copy.length)] = (byte) random.nextInt(256);
        }
        return copy;
    }

    private static String repeated(String name, int times) {
        return String.join("&", java.util.Collections.nCopies(times, name + "=A"));
    }

    private static String percent(byte[] bytes) {
        StringBuilder b = new StringBuilder();
        for (byte x : bytes) {
            b.append('%').append(String.format("%02X", x & 0xFF));
        }
        return b.toString();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static String describe(byte[] body) {
        return body.length + " bytes: " + abbreviate(new String(body, StandardCharsets.ISO_8859_1));
    }

    private static String abbreviate(String s) {
        String oneLine = s.replace("\r", "\\r").replace("\n", "\\n");
        return oneLine.length() <= 160 ? oneLine : oneLine.substring(0, 160) + "... (" + s.length() + " chars)";
    }

    @SafeVarargs
    private <T> T pick(T... options) {
        return options[random.nextInt(options.length)];
    }

    private int size(int... options) {
        return options[random.nextInt(options.length)];
    }
}
