package io.tandem.engine;

import io.tandem.core.TandemConfig;
import io.tandem.core.config.ConfigLoader;
import io.tandem.core.time.Timestamps;
import io.tandem.engine.query.QueryResult;
import io.tandem.engine.query.ViewQuery;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The README's Java API example, as it is there: a Tandem from a config, ingest, a query, close. */
class EmbeddingExampleTest {

    @TempDir
    Path dataDir;

    @Test
    void theReadmesExample_ingestsQueriesAndCloses() {
        TandemConfig config = ConfigLoader.parse("""
                streams:
                  trades: {time: ts, fields: {symbol: string, qty: long}}
                views:
                  volume_1m: {from: trades, group_by: [symbol], granularity: 1m, measures: {volume: sum(qty)}}
                """, "tandem.yaml");
        try (Tandem tandem = Tandem.start(config, TandemOptions.defaults(dataDir))) {
            tandem.ingest("trades", """
                    {"ts": "2026-11-26T10:00:01Z", "symbol": "ACME", "qty": 300}
                    {"ts": "2026-11-26T10:00:02Z", "symbol": "ACME", "qty": 200}
                    """.getBytes(StandardCharsets.UTF_8), null);
            tandem.awaitCaughtUp(Duration.ofSeconds(10));
            QueryResult result = tandem.query(new ViewQuery("volume_1m", Timestamps.parse("2026-11-26T10:00:00Z"),
                    Timestamps.parse("2026-11-26T11:00:00Z"), 0, Map.of("symbol", "ACME")));
            QueryResult.Row row = result.rows().get(0);
            assertThat(row.bucket()).isEqualTo(Timestamps.parse("2026-11-26T10:00:00Z"));
            assertThat(row.values()[0]).isEqualTo(500L);
            assertThat(result.rows()).hasSize(1);
        }
    }
}
