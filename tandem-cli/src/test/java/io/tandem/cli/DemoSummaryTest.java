package io.tandem.cli;

import io.tandem.core.TandemConfig;
import io.tandem.core.config.ConfigLoader;
import io.tandem.engine.Tandem;
import io.tandem.engine.TandemOptions;
import io.tandem.engine.alert.Alert;
import io.tandem.engine.query.QueryResult;
import io.tandem.engine.query.ViewQuery;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The demo's market with a valid trade that has no price (every field is optional): the summary, the views and
 * the demo's own alert rules take it, before and after a restart that replays it from the log.
 */
class DemoSummaryTest {

    private static final long NOW = 1_795_687_500_000L;

    @TempDir
    Path dir;

    private static void ingest(Tandem tandem, String ndjson) {
        assertThat(tandem.ingest("trades", ndjson.getBytes(StandardCharsets.UTF_8), null).rejected()).isZero();
    }

    private static List<String> movers(Tandem tandem) {
        return DemoCommand.topMovers(tandem, NOW).stream()
                .map(m -> m.symbol() + " " + m.open() + " " + m.close() + " " + m.trades() + " " + m.volume())
                .toList();
    }

    private static Object[] nullpRow(Tandem tandem) {
        QueryResult r = tandem.query(new ViewQuery("trades_1m", NOW - 60_000, NOW, 0, Map.of("symbol", "NULLP")));
        assertThat(r.rows()).hasSize(1);
        Object[] values = r.rows().get(0).values();
        assertThat(values[r.measures().indexOf("trades")]).isEqualTo(1L);
        assertThat(values[r.measures().indexOf("open")]).isNull();
        assertThat(values[r.measures().indexOf("close")]).isNull();
        return values;
    }

    @Test
    void when_aTradeHasNoPrice_then_theSummaryViewsAndAlertsTakeIt_beforeAndAfterARestartThatReplaysIt()
            throws IOException {
        TandemConfig config = ConfigLoader.parse(DemoCommand.bundledExample(), "market.yaml");
        TandemOptions options = TandemOptions.defaults(dir).withPartitions(1).withClock(() -> NOW);
        long ts = NOW - 30_000;
        List<String> before;
        Object[] rowBefore;
        try (Tandem tandem = Tandem.start(config, options)) {
            // 1. ACME moves 10% in one minute; NULLP trades once, with a qty and no price
            ingest(tandem, "{\"ts\":" + ts + ",\"symbol\":\"ACME\",\"price\":10.0,\"qty\":5,\"trader\":\"a\"}\n"
                    + "{\"ts\":" + (ts + 1) + ",\"symbol\":\"NULLP\",\"qty\":1}\n"
                    + "{\"ts\":" + (ts + 2) + ",\"symbol\":\"ACME\",\"price\":11.0,\"qty\":5,\"trader\":\"b\"}\n");
            assertThat(tandem.awaitCaughtUp(Duration.ofSeconds(10))).isTrue();

            // 2. the summary lists ACME only (NULLP has no price to move); the view has NULLP with null prices
            before = movers(tandem);
            assertThat(before).containsExactly("ACME 10.0 11.0 2 10");
            rowBefore = nullpRow(tandem);

            // 3. price_jump fires for ACME; its condition over NULLP's null open and close does not hold
            await().atMost(Duration.ofSeconds(10)).until(() -> !rule(tandem, "price_jump").isEmpty());
            assertThat(rule(tandem, "price_jump")).extracting(a -> a.dims().get("symbol")).containsExactly("ACME");
        }

        // 4. without the hot path's checkpoints the restart applies the whole log again, NULLP's trade included
        try (Stream<Path> files = Files.walk(dir.resolve("store"))) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
        try (Tandem tandem = Tandem.start(config, options)) {
            assertThat(tandem.awaitCaughtUp(Duration.ofSeconds(10))).isTrue();
            assertThat(movers(tandem)).isEqualTo(before);
            assertThat(nullpRow(tandem)).isEqualTo(rowBefore);
            assertThat(tandem.status().streams().get("trades").lag()).containsOnly(0L);
        }
    }

    private static List<Alert> rule(Tandem tandem, String name) {
        return tandem.alerts().history(Long.MIN_VALUE, Long.MAX_VALUE, name, Integer.MAX_VALUE);
    }
}
