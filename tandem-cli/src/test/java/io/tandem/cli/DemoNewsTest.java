package io.tandem.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tandem.cli.gen.MarketGenerator;
import io.tandem.cli.gen.NewsGenerator;
import io.tandem.engine.Tandem;
import io.tandem.engine.TandemOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The demo's news: what the generator writes is valid for the demo's news stream and found by its index. */
class DemoNewsTest {

    @TempDir
    Path dir;

    @Test
    void when_theDemoGeneratesNews_then_theHeadlinesIndexFindsExactlyTheMatchingItems() throws Exception {
        NewsGenerator news = new NewsGenerator(new MarketGenerator(50, 7).symbols(), 11);
        long now = System.currentTimeMillis();
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            lines.add(news.nextJson("ts", now - i * 1000L));
        }
        // the reference: the items whose headline holds the word "dividend", from the wire
        ObjectMapper json = new ObjectMapper();
        long expected = 0;
        for (String line : lines) {
            var item = json.readTree(line);
            assertThat(item.path("headline").asText()).contains(item.path("symbol").asText());
            if (item.path("headline").asText().contains(" dividend") && item.path("source").asText().equals("wire")) {
                expected++;
            }
        }
        assertThat(expected).isPositive();
        try (Tandem tandem = Tandem.start(DemoCommand.demoConfig(), TandemOptions.defaults(dir).withPartitions(2))) {
            var r = tandem.ingest("news", String.join("\n", lines).getBytes(StandardCharsets.UTF_8), null);
            assertThat(r.rejected()).isZero();
            await().atMost(Duration.ofSeconds(30)).until(() -> tandem.search().search("headlines", "*:*",
                    Long.MIN_VALUE, Long.MAX_VALUE, 1).total() == 300);
            assertThat(tandem.search().search("headlines", "dividend AND source:wire", Long.MIN_VALUE,
                    Long.MAX_VALUE, 1000).total()).isEqualTo(expected);
        }
    }
}
