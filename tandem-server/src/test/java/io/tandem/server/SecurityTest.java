package io.tandem.server;

import io.tandem.core.SecurityDef;
import io.tandem.core.config.ConfigLoader;
import io.tandem.engine.Tandem;
import io.tandem.engine.TandemOptions;
import io.tandem.server.auth.Scope;
import io.tandem.server.auth.Tokens;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Scoped API tokens from a tokens file, over a real server on port 0: which request needs which scope (401 without
 * a known token, 403 without the scope), the file holding hashes only and being read again when it changes,
 * per-token rate limits, TLS from a PEM pair, and the dashboard's security headers.
 */
class SecurityTest {

    static final String INGEST = RequestGuardTest.INGEST;
    static final String TRADE = RequestGuardTest.TRADE;

    @TempDir
    Path dir;
    Path tokensFile;
    Tandem tandem;
    TandemServer server;
    HttpClient http = HttpClient.newHttpClient();
    String read;
    String ingest;
    String admin;

    @BeforeEach
    void start() throws IOException {
        tokensFile = dir.resolve("tokens.jsonl");
        read = Tokens.create(tokensFile, "dashboard", Set.of(Scope.READ)).secret();
        ingest = Tokens.create(tokensFile, "producer", Set.of(Scope.INGEST)).secret();
        admin = Tokens.create(tokensFile, "ops", Set.of(Scope.ADMIN)).secret();
        tandem = Tandem.start(ConfigLoader.parse(HttpApiTest.CONFIG, "test.yaml"),
                TandemOptions.defaults(dir.resolve("data")).withPartitions(1));
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        tandem.close();
    }

    void serve(SecurityDef security) {
        server = TandemServer.start(tandem, new ServerOptions("127.0.0.1", 0, 1 << 20, security));
    }

    HttpResponse<String> send(String method, String path, String body, String... headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.url() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> as(String token, String method, String path, String body)
            throws IOException, InterruptedException {
        return body == null ? send(method, path, null, "Authorization", "Bearer " + token)
                : send(method, path, body, "Authorization", "Bearer " + token, "Content-Type", "application/x-ndjson");
    }

    @Test
    void when_requestsCarryTokens_then_eachNeedsItsScope_andAdminMayDoEverything() throws Exception {
        serve(SecurityDef.tokens(tokensFile));
        record Call(String method, String path, String body, Scope scope) {
        }
        List<Call> calls = List.of(
                new Call("GET", "/v1/status", null, Scope.READ),
                new Call("GET", "/v1/views/trades_1m?from=0&to=3600000", null, Scope.READ),
                new Call("GET", "/metrics", null, Scope.READ),
                new Call("POST", "/v1/sql", "SELECT 1 AS one", Scope.READ),
                new Call("POST", INGEST, TRADE, Scope.INGEST),
                new Call("POST", "/v1/batch/run", null, Scope.ADMIN));
        Map<String, Set<Scope>> holders = Map.of(read, Set.of(Scope.READ), ingest, Set.of(Scope.INGEST),
                admin, Set.of(Scope.ADMIN));
        for (Call c : calls) {
            for (Map.Entry<String, Set<Scope>> h : holders.entrySet()) {
                HttpResponse<String> r = c.path.equals("/v1/sql")
                        ? send("POST", c.path, c.body, "Authorization", "Bearer " + h.getKey(),
                        "Content-Type", "text/plain")
                        : as(h.getKey(), c.method, c.path, c.body);
                String what = c.method + " " + c.path + " with " + h.getValue();
                if (c.scope.grantedBy(h.getValue())) {
                    assertThat(r.statusCode()).as(what + ": " + r.body()).isBetween(200, 299);
                } else {
                    assertThat(r.statusCode()).as(what).isEqualTo(403);
                    assertThat(RequestGuardTest.error(r)).as(what).contains("lacks the scope '"
                            + c.scope.configName() + "'").contains(URI.create(c.path).getPath());
                }
            }
        }
        assertThat(accepted()).as("the ingest and admin tokens' trades").isEqualTo(2);
    }

    @Test
    void when_noOrAnUnknownToken_then_401_butTheDashboardsFilesAreServed() throws Exception {
        serve(SecurityDef.tokens(tokensFile));

        // the dashboard's files hold no data: everything it shows comes from the API, which needs the token
        for (String file : List.of("/", "/app.js", "/common.js", "/dashboard.css",
                "/webjars/uplot/1.6.30/dist/uPlot.iife.min.js")) {
            assertThat(send("GET", file, null).statusCode()).as(file).isEqualTo(200);
        }
        for (String path : List.of("/v1/status", "/v1/status/", "/metrics", "/metrics/", "/v1/views",
                "/v1/nothing-here")) {
            HttpResponse<String> r = send("GET", path, null);
            assertThat(r.statusCode()).as(path).isEqualTo(401);
            assertThat(r.headers().firstValue("WWW-Authenticate")).as(path).contains("Bearer");
            assertThat(RequestGuardTest.error(r)).as(path).contains("missing API token");
        }
        assertThat(RequestGuardTest.error(as("tdm_wrong", "GET", "/v1/status", null))).contains("unknown API token");
        assertThat(send("POST", INGEST, TRADE, "Content-Type", "application/x-ndjson").statusCode()).isEqualTo(401);
        assertThat(as("x".repeat(4_000), "GET", "/v1/status", null).statusCode()).isEqualTo(401);
        assertThat(as("x".repeat(1 << 20), "GET", "/v1/status", null).statusCode()).isEqualTo(431);
        assertThat(accepted()).isZero();
        // the scheme is case-insensitive, the token is not
        assertThat(send("GET", "/v1/status", null, "Authorization", "bearer " + read).statusCode()).isEqualTo(200);
        assertThat(send("GET", "/v1/status", null, "Authorization", "BEARER " + read).statusCode()).isEqualTo(200);
        assertThat(send("GET", "/v1/status", null, "Authorization", "Bearer " + read.toUpperCase()).statusCode())
                .isEqualTo(401);
        // the query parameter opens the event streams only (EventSource cannot set headers)
        assertThat(send("GET", "/v1/status?access_token=" + read, null).statusCode()).isEqualTo(401);
        assertThat(SseStream.open(http, server.url() + "/v1/alerts/live?access_token=" + ingest).response
                .statusCode()).isEqualTo(403);
        try (SseStream alerts = SseStream.open(http, server.url() + "/v1/alerts/live?access_token=" + read)) {
            assertThat(alerts.response.statusCode()).isEqualTo(200);
        }
    }

    @Test
    void when_theTokensFileIsWritten_then_itHoldsHashesOnly_andTheServerFollowsIt() throws Exception {
        serve(SecurityDef.tokens(tokensFile));
        String file = Files.readString(tokensFile, StandardCharsets.UTF_8);
        for (String secret : List.of(read, ingest, admin)) {
            assertThat(secret).startsWith(Tokens.PREFIX).hasSize(Tokens.PREFIX.length() + 43);
            assertThat(file).doesNotContain(secret).doesNotContain(secret.substring(Tokens.PREFIX.length()));
            assertThat(file).contains(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(secret.getBytes(StandardCharsets.UTF_8))));
        }
        assertThat(Files.getPosixFilePermissions(tokensFile)).containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ,
                PosixFilePermission.OWNER_WRITE);

        // a token made while the server runs works at once; a revoked one stops working within a second
        String late = Tokens.create(tokensFile, "late", Set.of(Scope.READ)).secret();
        assertThat(as(late, "GET", "/v1/status", null).statusCode()).isEqualTo(200);
        assertThat(Tokens.revoke(tokensFile, "dashboard")).isTrue();
        Awaitility.await().atMost(Duration.ofSeconds(30))
                .until(() -> as(read, "GET", "/v1/status", null).statusCode() == 401);
        assertThat(as(late, "GET", "/v1/status", null).statusCode()).isEqualTo(200);
        assertThat(Tokens.list(tokensFile)).extracting(Tokens.Token::name).containsExactly("producer", "ops", "late");

        // a file that no longer parses keeps the tokens read before
        Files.writeString(tokensFile, "{not json\n");
        Awaitility.await().pollDelay(Duration.ofMillis(1_100)).atMost(Duration.ofSeconds(30))
                .until(() -> as(late, "GET", "/v1/status", null).statusCode() == 200);
        assertThatThrownBy(() -> Tokens.list(tokensFile)).hasMessageContaining(tokensFile + " line 1");
    }

    @Test
    void when_tokensAreMisconfigured_then_errorsNameTheValue() throws IOException {
        Path missing = dir.resolve("nope.jsonl");
        assertThatThrownBy(() -> serve(SecurityDef.tokens(missing))).hasMessageContaining(missing.toString())
                .hasMessageContaining("tandem token create");
        assertThatThrownBy(() -> Tokens.create(tokensFile, "ops", Set.of(Scope.READ)))
                .hasMessageContaining("'ops' exists already");
        assertThatThrownBy(() -> Tokens.create(tokensFile, "bad name", Set.of(Scope.READ)))
                .hasMessageContaining("'bad name'");
        assertThatThrownBy(() -> Scope.parseList("read,write")).hasMessageContaining("'write'");
        assertThatThrownBy(() -> new ServerOptions("0.0.0.0", 0, 1024, SecurityDef.NONE))
                .hasMessageContaining("0.0.0.0").hasMessageContaining("security.tokens_file");
        assertThat(new ServerOptions("0.0.0.0", 0, 1024, SecurityDef.tokens(tokensFile)).bind()).isEqualTo("0.0.0.0");
    }

    @Test
    void when_aTokenIsOverItsRateLimit_then_429WithRetryAfter_andOtherTokensAreServed() throws Exception {
        // a bucket of 3 refilled once every 100 s: the fourth request is over the limit however slow the machine is
        serve(new SecurityDef(tokensFile, null, new SecurityDef.RateLimit(0.01, 3)));
        for (int i = 0; i < 3; i++) {
            assertThat(as(read, "GET", "/v1/status", null).statusCode()).isEqualTo(200);
        }
        HttpResponse<String> over = as(read, "GET", "/v1/status", null);
        assertThat(over.statusCode()).isEqualTo(429);
        assertThat(over.headers().firstValue("Retry-After").map(Long::parseLong)).hasValueSatisfying(
                s -> assertThat(s).isBetween(1L, 100L));
        assertThat(RequestGuardTest.error(over)).contains("'dashboard'").contains("rate limit");
        assertThat(as(admin, "GET", "/v1/status", null).statusCode()).isEqualTo(200);
    }

    @Test
    void when_tlsIsConfigured_then_theServerAnswersHttpsOnly() throws Exception {
        Path cert = resource("tls/cert.pem");
        serve(new SecurityDef(tokensFile, new SecurityDef.Tls(cert, resource("tls/key.pem")), null));
        assertThat(server.url()).startsWith("https://127.0.0.1:");
        http = HttpClient.newBuilder().sslContext(trusting(cert)).build();

        HttpResponse<String> r = as(read, "GET", "/v1/status", null);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Strict-Transport-Security")).isPresent();
        assertThat(as(ingest, "POST", INGEST, TRADE).statusCode()).isEqualTo(200);
        HttpClient plain = HttpClient.newHttpClient();
        String clear = server.url().replace("https://", "http://");
        assertThatThrownBy(() -> plain.send(HttpRequest.newBuilder(URI.create(clear + "/v1/status")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isInstanceOf(IOException.class);
    }

    @Test
    void when_keysComeInEitherPemForm_then_bothAreRead_andAMismatchNamesTheFiles() throws Exception {
        Path cert = resource("tls/cert.pem");
        for (String key : List.of("tls/key.pem", "tls/key-sec1.pem")) {
            KeyStore store = Listener.keyStore(new SecurityDef.Tls(cert, resource(key)));
            assertThat(store.getKey("tandem", new char[0])).as(key).isNotNull();
        }
        assertThatThrownBy(() -> Listener.keyStore(new SecurityDef.Tls(cert, cert)))
                .hasMessageContaining("security.tls.key_file").hasMessageContaining(cert.toString());
        assertThatThrownBy(() -> Listener.keyStore(new SecurityDef.Tls(resource("tls/key.pem"), cert)))
                .hasMessageContaining("security.tls.cert_file");
    }

    @Test
    void when_theDashboardIsServed_then_itCarriesSecurityHeaders() throws Exception {
        serve(SecurityDef.NONE);
        for (String path : List.of("/", "/app.js", "/v1/status")) {
            HttpResponse<String> r = send("GET", path, null);
            assertThat(r.headers().firstValue("Content-Security-Policy")).as(path).contains(RequestGuard.CSP);
            assertThat(r.headers().firstValue("X-Content-Type-Options")).as(path).contains("nosniff");
            assertThat(r.headers().firstValue("X-Frame-Options")).as(path).contains("DENY");
            assertThat(r.headers().firstValue("Referrer-Policy")).as(path).contains("no-referrer");
        }
        String index = send("GET", "/", null).body();
        assertThat(index).doesNotContainPattern("<script(?![^>]*\\bsrc=)").doesNotContain("style=")
                .doesNotContainPattern("\\son[a-z]+=");
    }

    long accepted() {
        return tandem.status().streams().get("trades").accepted();
    }

    static Path resource(String name) throws Exception {
        return Path.of(SecurityTest.class.getClassLoader().getResource(name).toURI());
    }

    static SSLContext trusting(Path cert) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(cert)) {
            trust.setCertificateEntry("tandem", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        return ssl;
    }
}
