package io.tandem.server;

import io.tandem.core.config.ConfigLoader;
import io.tandem.engine.Tandem;
import io.tandem.engine.TandemOptions;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code /metrics} on port 0 with a real client: JVM, process and per-route HTTP meters, and honest HELP texts. */
class MetricsTest {

    @TempDir
    Path dir;
    Tandem tandem;
    TandemServer server;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() {
        tandem = Tandem.start(ConfigLoader.parse(HttpApiTest.CONFIG, "test.yaml"),
                TandemOptions.defaults(dir).withPartitions(1));
        server = TandemServer.start(tandem, ServerOptions.loopback(0));
    }

    @AfterEach
    void stop() {
        server.close();
        tandem.close();
    }

    HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(server.url() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    String metrics() throws Exception {
        HttpResponse<String> r = get("/metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    /** The value of one sample line, or -1 when it is absent. */
    static double sample(String scrape, String nameAndLabels) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(nameAndLabels) + " (\\S+)$").matcher(scrape);
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }

    @Test
    void jvmAndProcessMetricsAreExported() throws Exception {
        String scrape = metrics();

        assertThat(scrape).contains("jvm_memory_used_bytes{", "jvm_gc_", "jvm_threads_live_threads ",
                "jvm_classes_loaded_classes ", "process_cpu_usage ", "process_uptime_seconds ", "system_cpu_count ",
                "process_files_open_files ");
        assertThat(sample(scrape, "system_cpu_count")).isEqualTo(Runtime.getRuntime().availableProcessors());
    }

    @Test
    void httpRequestsAreCountedByMethodRouteTemplateAndStatus() throws Exception {
        assertThat(get("/v1/status").statusCode()).isEqualTo(200);
        assertThat(get("/v1/status").statusCode()).isEqualTo(200);
        assertThat(get("/v1/views/trades_1m?from=0&to=60000").statusCode()).isEqualTo(200);
        assertThat(get("/v1/views/nope?from=0&to=60000").statusCode()).isEqualTo(404);
        assertThat(get("/no/such/path").statusCode()).isEqualTo(404);
        assertThat(get("/app.js").statusCode()).isEqualTo(200);

        // a request is recorded once its answer is written: wait for the last one
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> sample(metrics(),
                "http_server_requests_seconds_count{method=\"GET\",route=\"static\",status=\"200\"}") == 1);
        String scrape = metrics();
        assertThat(sample(scrape, "http_server_requests_seconds_count{method=\"GET\",route=\"/v1/status\","
                + "status=\"200\"}")).isEqualTo(2);
        assertThat(sample(scrape, "http_server_requests_seconds_count{method=\"GET\",route=\"/v1/views/{view}\","
                + "status=\"200\"}")).isEqualTo(1);
        assertThat(sample(scrape, "http_server_requests_seconds_count{method=\"GET\",route=\"/v1/views/{view}\","
                + "status=\"404\"}")).isEqualTo(1);
        assertThat(sample(scrape, "http_server_requests_seconds_count{method=\"GET\",route=\"none\","
                + "status=\"404\"}")).isEqualTo(1);
        assertThat(scrape).doesNotContain("nope").doesNotContain("/no/such/path");
    }

    @Test
    void helpTextsSayWhatTheIngestToVisibleCountAndTheMaximaMean() throws Exception {
        assertThat(get("/v1/status").statusCode()).isEqualTo(200);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> metrics().contains("http_server_requests"));
        String scrape = metrics();

        assertThat(scrape).containsPattern("# HELP tandem_ingest_to_visible_seconds .*arrival millisecond.*not events"
                + ".*_max and quantiles over the last 2 minutes only");
        assertThat(scrape).containsPattern("# HELP tandem_ingest_to_visible_seconds_max .*_max and quantiles over "
                + "the last 2 minutes only");
        assertThat(scrape).containsPattern("# HELP http_server_requests_seconds .*over the last 2 minutes only");
    }
}
