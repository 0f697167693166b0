package io.tandem.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tandem.core.config.ConfigLoader;
import io.tandem.engine.Tandem;
import io.tandem.engine.TandemOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code GET /v1/openapi.json} describes every route the server registers, and no route it does not have. */
class OpenApiTest {

    private static final Set<String> METHODS = Set.of("get", "post", "put", "patch", "delete", "head", "options");

    @TempDir
    Path dir;

    @Test
    void theDocumentNamesEveryRouteAndNoOther_andIsServedAsJson() throws Exception {
        try (Tandem tandem = Tandem.start(ConfigLoader.parse("""
                streams:
                  trades: {time: ts, fields: {symbol: string, qty: long}}
                views:
                  v: {from: trades, granularity: 1m, measures: {n: count}}
                """, "test.yaml"), TandemOptions.defaults(dir).withPartitions(1));
             TandemServer server = TandemServer.start(tandem, ServerOptions.loopback(0))) {
            Set<String> routes = new TreeSet<>(server.routes());
            Set<String> documented = new TreeSet<>();
            OpenApi.document().path("paths").fields().forEachRemaining(p -> p.getValue().fieldNames()
                    .forEachRemaining(m -> {
                        if (METHODS.contains(m)) {
                            documented.add(m.toUpperCase(Locale.ROOT) + " " + p.getKey());
                        }
                    }));
            assertThat(routes).as("routes").contains("POST /v1/streams/{stream}/events", "GET /v1/openapi.json");
            assertThat(documented).as("documented in %s", OpenApi.RESOURCE).isEqualTo(routes);

            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(server.url()
                    + "/v1/openapi.json")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t)
                    .startsWith("application/json"));
            JsonNode served = new ObjectMapper().readTree(r.body());
            assertThat(served).isEqualTo(OpenApi.document());
            assertThat(served.path("openapi").asText()).isEqualTo("3.1.0");
        }
    }
}
