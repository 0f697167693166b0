package io.tandem.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tandem.core.config.ConfigLoader;
import io.tandem.engine.Tandem;
import io.tandem.engine.TandemOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The query cache as a client sees it: the same view query twice, then its meters and its part of the status. */
class QueryCacheStatusTest {

    @TempDir
    Path dir;
    Tandem tandem;
    TandemServer server;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() {
        tandem = Tandem.start(ConfigLoader.parse(HttpApiTest.CONFIG, "test.yaml"),
                TandemOptions.defaults(dir).withPartitions(1).withAutomaticBatchRuns(false));
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

    @Test
    void when_aViewQueryIsRepeated_then_metricsAndStatusShowOneMissThenOneHit() throws Exception {
        HttpResponse<String> first = get("/v1/views/trades_1m?from=0&to=60000");
        HttpResponse<String> second = get("/v1/views/trades_1m?from=0&to=60000");
        assertThat(second.statusCode()).isEqualTo(200);
        assertThat(second.body()).isEqualTo(first.body());

        String scrape = get("/metrics").body();
        assertThat(MetricsTest.sample(scrape, "tandem_query_cache_hits_total")).isEqualTo(1);
        assertThat(MetricsTest.sample(scrape, "tandem_query_cache_misses_total")).isEqualTo(1);
        assertThat(MetricsTest.sample(scrape, "tandem_query_cache_evictions_total")).isZero();
        assertThat(MetricsTest.sample(scrape, "tandem_query_cache_hit_ratio")).isEqualTo(0.5);
        assertThat(scrape).contains("tandem_query_cache_warmup_duration_seconds_count ",
                "tandem_query_cache_weighted_size_bytes ");

        JsonNode cache = new ObjectMapper().readTree(get("/v1/status").body()).path("overview").path("query_cache");
        assertThat(cache.path("enabled").asBoolean()).isTrue();
        assertThat(cache.path("hits").asLong()).isEqualTo(1);
        assertThat(cache.path("misses").asLong()).isEqualTo(1);
        assertThat(cache.path("hit_ratio").asDouble()).isEqualTo(0.5);
        assertThat(cache.path("entries").asLong()).isEqualTo(1);
        assertThat(cache.path("bytes").asLong()).isPositive();
        assertThat(cache.path("max_bytes").asLong()).isEqualTo(64L << 20);
        assertThat(cache.path("last_warm").isNull()).isTrue();
    }
}
