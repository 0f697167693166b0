package io.tandem.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tandem.core.config.ConfigLoader;
import io.tandem.core.time.Timestamps;
import io.tandem.engine.Tandem;
import io.tandem.engine.TandemOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Measure values in query rows over HTTP: null for a measure no event had the field of, an exact JSON number for
 * a sum beyond the long range, and null (not the string "Infinity") for a double out of range.
 */
class ValuesJsonTest {

    private static final long T = Timestamps.parse("2026-11-26T10:00:00Z");

    @TempDir
    Path dir;

    @Test
    void when_valuesAreMissing_huge_orNotFinite_then_queryRowsAreValidJsonNumbersOrNull() throws Exception {
        String config = """
                streams:
                  trades:
                    time: ts
                    fields: {symbol: string, price: double, qty: long}
                views:
                  bars:
                    from: trades
                    group_by: [symbol]
                    granularity: 1m
                    measures: {trades: count, volume: sum(qty), turnover: sum(price), avg_price: mean(price),
                               close: last(price)}
                """;
        TandemOptions options = TandemOptions.defaults(dir).withPartitions(2).withClock(() -> T + 60_000);
        try (Tandem tandem = Tandem.start(ConfigLoader.parse(config, "test.yaml"), options);
             TandemServer server = TandemServer.start(tandem, new ServerOptions("127.0.0.1", 0, 64 * 1024, null))) {
            HttpClient http = HttpClient.newHttpClient();
            // 1. a trade without a price, two of the largest qty, two prices whose sum leaves the double range
            String body = "{\"ts\":" + T + ",\"symbol\":\"NULLP\",\"qty\":1}\n"
                    + ("{\"ts\":" + T + ",\"symbol\":\"BIG\",\"qty\":" + Long.MAX_VALUE + "}\n").repeat(2)
                    + ("{\"ts\":" + T + ",\"symbol\":\"HUGE\",\"price\":1.0e308,\"qty\":1}\n").repeat(2);
            HttpResponse<String> ingested = http.send(HttpRequest.newBuilder(
                            URI.create(server.url() + "/v1/streams/trades/events"))
                    .header("Content-Type", "application/x-ndjson")
                    .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(ingested.statusCode()).as(ingested.body()).isEqualTo(200);
            assertThat(tandem.awaitCaughtUp(Duration.ofSeconds(10))).isTrue();

            // 2. the query answers valid JSON
            URI query = URI.create(server.url() + "/v1/views/bars?from=" + T + "&to=" + (T + 60_000));
            HttpResponse<String> q = http.send(HttpRequest.newBuilder(query).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(q.statusCode()).isEqualTo(200);
            assertThat(q.body()).doesNotContain("Infinity").doesNotContain("NaN");
            Map<String, JsonNode> rows = new HashMap<>();
            new ObjectMapper().readTree(q.body()).get("rows").forEach(r -> rows.put(r.get("symbol").asText(), r));

            // 3. missing: null; beyond the long range: the exact number; out of the double range: null
            assertThat(rows.get("NULLP").get("close").isNull()).isTrue();
            assertThat(rows.get("NULLP").get("avg_price").isNull()).isTrue();
            assertThat(rows.get("NULLP").get("volume").asLong()).isEqualTo(1);
            assertThat(rows.get("BIG").get("volume").bigIntegerValue())
                    .isEqualTo(BigInteger.valueOf(Long.MAX_VALUE).shiftLeft(1));
            assertThat(rows.get("BIG").get("volume").isIntegralNumber()).isTrue();
            assertThat(rows.get("HUGE").get("turnover").isNull()).isTrue();
            assertThat(rows.get("HUGE").get("avg_price").isNull()).isTrue();
            assertThat(rows.get("HUGE").get("close").asDouble()).isEqualTo(1.0e308);
        }
    }
}
