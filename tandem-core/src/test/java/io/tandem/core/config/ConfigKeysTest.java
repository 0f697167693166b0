package io.tandem.core.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.tandem.core.FieldType;
import io.tandem.core.measure.Measures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The definition of the config's keys: every example, put where its section's sample path says into a small valid
 * config, loads through {@link ConfigLoader}, so the reference's examples cannot rot.
 */
class ConfigKeysTest {

    private static final YAMLMapper YAML = new YAMLMapper();

    /** A valid config holding every name the sections' sample paths use. */
    private static final String BASE = """
            streams:
              trades:
                time: {field: ts}
                fields: {symbol: string, price: double, qty: long, trader: string}
              news:
                time: ts
                fields: {headline: string, source: string}
            views:
              trades_1m:
                from: trades
                group_by: [symbol]
                granularity: 1m
                measures: {trades: count, volume: sum(qty), open: first(price), close: last(price)}
            alerts:
              price_jump: {view: trades_1m, on: update, condition: "close > open * 1.02"}
            reports:
              daily:
                sql: "SELECT count(*) AS n FROM trades WHERE ts >= {{period_start}} AND ts < {{period_end}}"
                schedule: daily at 00:05
                format: csv
            analyses:
              volume_anomaly: {view: trades_1m, measure: volume}
            indexes:
              headlines: {stream: news, fields: [headline]}
            security:
              tls: {cert_file: cert.pem, key_file: key.pem}
              rate_limit: {requests_per_second: 50}
            """;

    static Stream<Arguments> keys() {
        return ConfigKeys.SECTIONS.stream().flatMap(s -> s.keys().stream()
                .map(k -> Arguments.of(s.path().isEmpty() ? k.name() : s.path() + "." + k.name(), s, k)));
    }

    static Stream<Arguments> measures() {
        return ConfigKeys.MEASURES.stream().map(f -> Arguments.of(f.name(), f));
    }

    @Test
    void theBaseConfigLoads() {
        assertThat(ConfigLoader.parse(BASE, "base.yaml").streams()).containsOnlyKeys("trades", "news");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("keys")
    void everyKeysExample_loads(String path, ConfigSection section, ConfigKey key) throws Exception {
        assertThat(YAML.readTree(key.example()).has(key.name())).as("the example sets %s", path).isTrue();
        String yaml = assembled(section, key.example(), key.wholeItem());
        ConfigLoader.parse(yaml, path);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("measures")
    void everyMeasureFunctionsExample_loadsAndUsesIt(String name, MeasureFunction function) throws Exception {
        JsonNode example = YAML.readTree(function.example());
        assertThat(example.size()).isOne();
        Map.Entry<String, JsonNode> measure = example.properties().iterator().next();
        assertThat(MeasureText.parse(measure.getKey(), measure.getValue().asText()).function()).isEqualTo(name);
        ConfigLoader.parse(assembled(ConfigKeys.MEASURE, function.example(), false), name);
    }

    @Test
    void theMeasureFunctions_areTheOnesMeasuresCompiles() {
        assertThat(ConfigKeys.MEASURES.stream().map(MeasureFunction::name).toList())
                .isEqualTo(Measures.FUNCTIONS);
    }

    @Test
    void everyFieldType_isDescribed() {
        assertThat(ConfigKeys.FIELD_TYPES.keySet()).containsExactly(FieldType.values());
    }

    @Test
    void aPartsSettings_belongToItsKinds() {
        for (ConfigSection part : List.of(ConfigKeys.LOG, ConfigKeys.STORE, ConfigKeys.BATCH)) {
            assertThat(part.names()).contains(part.kindKey());
            part.keys().forEach(k -> assertThat(part.kinds()).containsAll(k.kinds()));
        }
        assertThat(ConfigKeys.BATCH.names("spark")).containsExactly("every", "engine", "master");
        assertThat(ConfigKeys.BATCH.names("duckdb")).containsExactly("every", "engine");
        assertThat(ConfigKeys.BATCH.commonNames()).containsExactly("every");
        assertThat(ConfigKeys.LOG.commonNames()).isEmpty();
    }

    @Test
    void anExample_isPlacedUnderItsSectionsSamplePath() {
        assertThat(ConfigKeys.TLS.placed("cert_file: a.pem\nkey_file: b.pem")).isEqualTo("""
                security:
                  tls:
                    cert_file: a.pem
                    key_file: b.pem
                """);
        assertThat(ConfigKeys.TOP.placed("epoch: 1h")).isEqualTo("epoch: 1h\n");
    }

    /** {@link #BASE} with the example merged in where its section is, as YAML. */
    private static String assembled(ConfigSection section, String example, boolean wholeItem) throws Exception {
        ObjectNode config = (ObjectNode) YAML.readTree(BASE);
        if (wholeItem) {
            List<String> sample = section.sample();
            ObjectNode parent = (ObjectNode) config.at("/" + String.join("/", sample.subList(0, sample.size() - 1)));
            parent.remove(sample.get(sample.size() - 1));
        }
        merge(config, YAML.readTree(section.placed(example)));
        return YAML.writeValueAsString(config);
    }

    private static void merge(ObjectNode into, JsonNode from) {
        for (Map.Entry<String, JsonNode> e : from.properties()) {
            if (into.get(e.getKey()) instanceof ObjectNode inner && e.getValue().isObject()) {
                merge(inner, e.getValue());
            } else {
                into.set(e.getKey(), e.getValue());
            }
        }
    }
}
