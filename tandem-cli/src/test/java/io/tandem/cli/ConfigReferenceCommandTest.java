package io.tandem.cli;

import io.tandem.core.config.ConfigKeys;
import io.tandem.kafka.KafkaEventLogProvider;
import io.tandem.redis.RedisRealtimeStoreProvider;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code tandem config-reference}, and {@code docs/config.md} as what it prints. */
class ConfigReferenceCommandTest {

    static final Path PAGE = Path.of("../docs/config.md");

    private static String printed() {
        StringWriter out = new StringWriter();
        CommandLine cli = Main.commandLine(InputStream.nullInputStream(), Map.of());
        cli.setOut(new PrintWriter(out, true));
        assertThat(cli.execute("config-reference")).isZero();
        return out.toString();
    }

    @Test
    void docsConfigMd_isWhatTheCommandPrints() throws Exception {
        String page = Files.exists(PAGE) ? Files.readString(PAGE) : "";
        assertThat(page).as("docs/config.md is not what `tandem config-reference` prints; regenerate it: "
                + ConfigMarkdown.REGENERATE).isEqualTo(printed());
    }

    @Test
    void thePage_documentsEverySectionAndKey() {
        String page = printed();
        ConfigKeys.SECTIONS.forEach(s -> {
            assertThat(page).contains("## " + s.title());
            s.keys().forEach(k -> assertThat(page).contains("| `" + k.name() + "` |"));
        });
        ConfigKeys.MEASURES.forEach(f -> assertThat(page).contains(f.form()));
        assertThat(page).contains("notional:\n        expr: \"price * double(qty)\"")
                .contains("results: {change: \"(close - open) / open\"}");
    }

    @Test
    void theDefaultsOfKafkaAndRedisSettings_areTheProviders() {
        assertThat(ConfigKeys.LOG.key("bootstrap_servers").byDefault())
                .isEqualTo("`" + KafkaEventLogProvider.DEFAULT_BOOTSTRAP + "`");
        assertThat(ConfigKeys.LOG.key("topic_prefix").byDefault())
                .isEqualTo("`" + KafkaEventLogProvider.DEFAULT_TOPIC_PREFIX + "`");
        assertThat(ConfigKeys.STORE.key("url").byDefault())
                .isEqualTo("`" + RedisRealtimeStoreProvider.DEFAULT_URL + "`");
        assertThat(ConfigKeys.STORE.key("key_prefix").byDefault())
                .isEqualTo("`" + RedisRealtimeStoreProvider.DEFAULT_PREFIX + "`");
    }
}
