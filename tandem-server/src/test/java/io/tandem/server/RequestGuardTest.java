package io.tandem.server;

import io.tandem.core.config.ConfigLoader;
import io.tandem.engine.Tandem;
import io.tandem.engine.TandemOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What a web page the user visits can no longer do, on port 0 with a real client: reach the server under another
 * name (DNS rebinding), post to it from another origin (CSRF), ingest as text/plain. Tokens are
 * {@link SecurityTest}'s. The surefire configuration lets the client set {@code Host}.
 */
class RequestGuardTest {

    static final String INGEST = "/v1/streams/trades/events";
    static final String TRADE = "{\"symbol\":\"A\",\"price\":1,\"qty\":1,\"ts\":0}";

    @TempDir
    Path dir;
    Tandem tandem;
    TandemServer server;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() {
        tandem = Tandem.start(ConfigLoader.parse(HttpApiTest.CONFIG, "test.yaml"),
                TandemOptions.defaults(dir).withPartitions(1));
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        tandem.close();
    }

    TandemServer serve(ServerOptions options) {
        server = TandemServer.start(tandem, options);
        return server;
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

    static String error(HttpResponse<String> r) throws IOException {
        return HttpApiTest.JSON.readTree(r.body()).get("error").get("message").asText();
    }

    long accepted() {
        return tandem.status().streams().get("trades").accepted();
    }

    @Test
    void when_theHostHeaderNamesAnotherServer_then_403_whateverThePath() throws Exception {
        serve(ServerOptions.loopback(0));
        String port = ":" + server.port();

        // 1. the DNS-rebinding request of the issue: SQL under the attacker's name
        HttpResponse<String> sql = send("POST", "/v1/sql", "SELECT 42", "Content-Type", "text/plain",
                "Host", "attacker.example" + port);
        assertThat(sql.statusCode()).isEqualTo(403);
        assertThat(sql.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t)
                .startsWith("application/json"));
        assertThat(error(sql)).contains("attacker.example").contains("--allowed-host");
        assertThat(send("GET", "/v1/status", null, "Host", "attacker.example" + port).statusCode())
                .isEqualTo(403);
        assertThat(send("GET", "/", null, "Host", "attacker.example").statusCode()).isEqualTo(403);
        assertThat(send("GET", "/v1/status", null, "Host", "127.0.0.1.attacker.example" + port).statusCode())
                .isEqualTo(403);
        assertThat(send("GET", "/v1/status", null, "Host", "10.0.0.7" + port).statusCode()).isEqualTo(403);

        // 2. the names of a loopback server work, with or without a port, in any case
        for (String host : List.of("127.0.0.1" + port, "localhost" + port, "LocalHost", "localhost." + port,
                "[::1]" + port, "127.0.0.1")) {
            assertThat(send("GET", "/v1/status", null, "Host", host).statusCode()).as(host).isEqualTo(200);
        }
        HttpResponse<String> ok = send("POST", "/v1/sql", "SELECT 42", "Content-Type", "text/plain");
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(HttpApiTest.JSON.readTree(ok.body()).get("rows").get(0).get(0).asInt()).isEqualTo(42);
    }

    @Test
    void when_aNameIsAllowed_then_itIsAccepted_andOthersStillAreNot() throws Exception {
        serve(ServerOptions.loopback(0).withAllowedHosts(List.of("Tandem.Example.")));

        assertThat(send("GET", "/v1/status", null, "Host", "tandem.example:" + server.port()).statusCode())
                .isEqualTo(200);
        HttpResponse<String> other = send("GET", "/v1/status", null, "Host", "other.example");
        assertThat(other.statusCode()).isEqualTo(403);
        assertThat(error(other)).contains("tandem.example").contains("localhost");
        assertThatThrownBy(() -> ServerOptions.loopback(0).withAllowedHosts(List.of("http://x.example/")))
                .hasMessageContaining("allowed-host").hasMessageContaining("http://x.example/");
        assertThat(ServerOptions.loopback(0).withAllowedHosts(Set.of("A.example")).allowedHosts())
                .containsExactly("a.example");
    }

    @Test
    void when_aStateChangingRequestComesFromAnotherOrigin_then_403_andNothingHappens() throws Exception {
        serve(ServerOptions.loopback(0));

        // 1. a cross-site form or fetch: ingest, a batch run, a report run, SQL; the Origin is named
        for (String origin : List.of("http://evil.example", "null", "http://127.0.0.1:1",
                "http://localhost:" + server.port())) {
            HttpResponse<String> r = send("POST", INGEST, TRADE, "Content-Type", "application/x-ndjson",
                    "Origin", origin);
            assertThat(r.statusCode()).as(origin).isEqualTo(403);
            assertThat(error(r)).contains("'" + origin + "'");
        }
        assertThat(send("POST", "/v1/batch/run", "", "Origin", "http://evil.example").statusCode()).isEqualTo(403);
        assertThat(send("POST", "/v1/reports/nope/run?period=2026-11-25", "", "Origin", "http://evil.example")
                .statusCode()).isEqualTo(403);
        assertThat(send("POST", "/v1/sql", "SELECT 1", "Content-Type", "text/plain", "Origin",
                "https://evil.example").statusCode()).isEqualTo(403);
        assertThat(accepted()).isZero();

        // 2. the server's own origin (the dashboard), and clients that send no Origin (curl, the CLI), may post
        String own = server.url();
        assertThat(send("POST", INGEST, TRADE, "Content-Type", "application/x-ndjson", "Origin", own).statusCode())
                .isEqualTo(200);
        assertThat(send("POST", INGEST, TRADE, "Content-Type", "application/x-ndjson").statusCode()).isEqualTo(200);
        assertThat(accepted()).isEqualTo(2);

        // 3. reads from another origin are the browser's business (no CORS headers: the page cannot read them)
        HttpResponse<String> read = send("GET", "/v1/status", null, "Origin", "http://evil.example");
        assertThat(read.statusCode()).isEqualTo(200);
        assertThat(read.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    }

    @Test
    void when_ingestIsTextPlain_then_415_andNothingIsAppended() throws Exception {
        serve(ServerOptions.loopback(0));

        HttpResponse<String> r = send("POST", INGEST, TRADE, "Content-Type", "text/plain");

        assertThat(r.statusCode()).isEqualTo(415);
        assertThat(error(r)).contains("text/plain").contains("application/x-ndjson");
        assertThat(accepted()).isZero();
    }
}
