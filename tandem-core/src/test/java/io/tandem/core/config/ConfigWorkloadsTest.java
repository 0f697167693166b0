package io.tandem.core.config;

import io.tandem.core.AnalysisDef;
import io.tandem.core.ComponentDef;
import io.tandem.core.DeploymentDef;
import io.tandem.core.DuckDbDef;
import io.tandem.core.IndexDef;
import io.tandem.core.Needs;
import io.tandem.core.QueryCacheDef;
import io.tandem.core.SecurityDef;
import io.tandem.core.TandemConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ConfigWorkloadsTest {

    private static final String BASE = """
            streams:
              trades:
                time: ts
                fields: {symbol: string, venue: string, price: double, qty: long}
              news:
                time: ts
                fields: {headline: string, symbol: string, source: string, words: long}
            views:
              trades_1m:
                from: trades
                group_by: [symbol, venue]
                granularity: 1m
                measures: {volume: sum(qty), trades: count}
            """;

    @Test
    void analysesIndexesAndCache_areRead() {
        TandemConfig config = ConfigLoader.parse(BASE + """
                analyses:
                  volume_anomaly: {view: trades_1m, measure: volume, for_each: [venue, symbol]}
                  by_default: {view: trades_1m, measure: trades}
                indexes:
                  headlines: {stream: news, fields: [headline, source], needs: {freshness: 1s}}
                query_cache: {max_bytes: 16MiB, warm: 5}
                """, "t.yaml");

        assertThat(config.analyses()).containsOnlyKeys("volume_anomaly", "by_default");
        AnalysisDef analysis = config.analyses().get("volume_anomaly");
        assertThat(analysis.view()).isEqualTo("trades_1m");
        assertThat(analysis.measure()).isEqualTo("volume");
        assertThat(analysis.forEach()).as("in group_by order").containsExactly("symbol", "venue");
        assertThat(config.analyses().get("by_default").forEach()).containsExactly("symbol", "venue");
        IndexDef index = config.indexes().get("headlines");
        assertThat(index.stream()).isEqualTo("news");
        assertThat(index.fields()).containsExactly("headline", "source");
        assertThat(index.needs().freshnessMs()).isEqualTo(1_000L);
        assertThat(config.queryCache()).isEqualTo(new QueryCacheDef(true, 16L << 20, 5, Needs.NONE));
    }

    @Test
    void duckDbLimits_areReadOrDefault() {
        assertThat(ConfigLoader.parse(BASE + "duckdb: {memory_limit: 2GiB, threads: 3}\n", "t.yaml").duckdb())
                .isEqualTo(new DuckDbDef(2L << 30, 3));
        assertThat(ConfigLoader.parse(BASE + "duckdb: {threads: 1}\n", "t.yaml").duckdb())
                .isEqualTo(new DuckDbDef(DuckDbDef.DEFAULT_MEMORY_LIMIT, 1));
        assertThat(ConfigLoader.parse(BASE, "t.yaml").duckdb()).isEqualTo(DuckDbDef.defaults());
    }

    @Test
    void badDuckDbLimits_areErrorsNamingTheKeyAndTheValue() {
        assertThat(errors(BASE + "duckdb: {memory_limit: 1MiB, threads: 0, spill: /tmp}\n")).containsExactlyInAnyOrder(
                "duckdb.memory_limit: must be at least 64MiB, got \"1MiB\"",
                "duckdb.threads: expected a whole number from 1 to 256, got 0",
                "duckdb.spill: unknown key (expected memory_limit, threads)");
        assertThat(errors(BASE + "duckdb: lots\n")).containsExactly(
                "duckdb: expected a mapping like {memory_limit: 1GiB, threads: 2}, got \"lots\"");
    }

    @Test
    void theParts_areTheEmbeddedOnes_unlessTheConfigNamesOthers() {
        assertThat(ConfigLoader.parse(BASE, "t.yaml").deployment()).isEqualTo(DeploymentDef.embedded());
        TandemConfig named = ConfigLoader.parse(BASE + "log: {kind: file}\nstore: {kind: memory}\n"
                + "batch: {every: 3, engine: duckdb}\n", "t.yaml");
        assertThat(named.deployment()).isEqualTo(new DeploymentDef(ComponentDef.of("file"), ComponentDef.of("memory"),
                ComponentDef.of("duckdb")));
        assertThat(named.batchEvery()).isEqualTo(3);
    }

    @Test
    void unknownKindsAndKeysOfTheParts_areErrorsNamingTheKeyTheValueAndTheKinds() {
        assertThat(errors(BASE + "log: {kind: kafak}\nstore: {kind: redys, url: \"redis://h\"}\n"
                + "batch: {engine: sparc, every: 2}\n")).containsExactlyInAnyOrder(
                "log.kind: unknown kind 'kafak' (expected file, kafka)",
                "store.kind: unknown kind 'redys' (expected memory, redis)",
                "store.url: unknown key (expected kind)",
                "batch.engine: unknown engine 'sparc' (expected duckdb, spark)");
        assertThat(errors(BASE + "log: {kind: file, partitions: 4}\nbatch: {every: 1, engines: duckdb}\n"))
                .containsExactlyInAnyOrder(
                        "log.partitions: unknown key (expected kind)",
                        "batch.engines: unknown key (expected every, engine); did you mean `engine`?");
        assertThat(errors(BASE + "log: file\nstore: [memory]\n")).containsExactlyInAnyOrder(
                "log: expected a mapping like {kind: file}, got \"file\"",
                "store: expected a mapping like {kind: memory}, got a list");
        assertThat(errors(BASE + "log: {kind: [file]}\n")).containsExactly(
                "log.kind: expected one of file, kafka, got a list");
    }

    @Test
    void theRedisStore_takesAUrlAndAKeyPrefix_checkedAtValidate() {
        TandemConfig redis = ConfigLoader.parse(BASE + "store: {kind: redis, url: \"redis://10.0.0.5:6380/2\", "
                + "key_prefix: \"prod:\"}\n", "t.yaml");
        assertThat(redis.deployment().store()).isEqualTo(new ComponentDef("redis",
                Map.of("url", "redis://10.0.0.5:6380/2", "key_prefix", "prod:")));
        assertThat(ConfigLoader.parse(BASE + "store: {kind: redis}\n", "t.yaml").deployment().store())
                .isEqualTo(ComponentDef.of("redis"));
        assertThat(errors(BASE + "store: {kind: redis, url: \"http://h:6379\", key_prefix: \"a b\", "
                + "port: 6379}\n")).containsExactlyInAnyOrder(
                "store.url: expected a redis:// or rediss:// URL like redis://127.0.0.1:6379, got \"http://h:6379\"",
                "store.key_prefix: expected a non-empty prefix without spaces, like \"tandem:\", got \"a b\"",
                "store.port: unknown key (expected kind, url, key_prefix)");
        assertThat(errors(BASE + "store: {kind: redis, url: \"redis://\"}\n")).singleElement().asString()
                .startsWith("store.url: ");
        assertThat(errors(BASE + "store: {kind: redis, url: \"redis://h:99999\"}\n")).containsExactly(
                "store.url: port 99999 is out of range (1 to 65535) in \"redis://h:99999\"");
    }

    @Test
    void theKafkaLog_takesBootstrapServersATopicPrefixAndAReplicationFactor_checkedAtValidate() {
        TandemConfig kafka = ConfigLoader.parse(BASE + "log: {kind: kafka, bootstrap_servers: \"k1:9092,k2:9093\", "
                + "topic_prefix: \"prod.\", replication_factor: 3}\n", "t.yaml");
        assertThat(kafka.deployment().log()).isEqualTo(new ComponentDef("kafka",
                Map.of("bootstrap_servers", "k1:9092,k2:9093", "topic_prefix", "prod.", "replication_factor", "3")));
        assertThat(errors(BASE + "log: {kind: kafka, bootstrap_servers: \"k1\", topic_prefix: \"a/b\", "
                + "replication_factor: 0, url: x}\n")).containsExactlyInAnyOrder(
                "log.bootstrap_servers: expected host:port[,host:port...] like 127.0.0.1:9092, got \"k1\"",
                "log.topic_prefix: expected at most 200 of the characters Kafka allows in a topic name (letters, "
                        + "digits, '.', '_', '-'), got \"a/b\"",
                "log.replication_factor: expected a replication factor from 1 to 32767, got \"0\"",
                "log.url: unknown key (expected kind, bootstrap_servers, topic_prefix, replication_factor)");
        assertThat(errors(BASE + "log: {kind: kafka, bootstrap_servers: \"k1:9092,k2:70000\"}\n")).containsExactly(
                "log.bootstrap_servers: port 70000 is out of range (1 to 65535) in \"k1:9092,k2:70000\"");
    }

    @Test
    void theSparkEngine_takesAMaster_checkedAtValidate() {
        assertThat(ConfigLoader.parse(BASE + "batch: {engine: spark, master: \"local[2]\"}\n", "t.yaml").deployment()
                .batch()).isEqualTo(new ComponentDef("spark", Map.of("master", "local[2]")));
        assertThat(ConfigLoader.parse(BASE + "batch: {engine: spark}\n", "t.yaml").deployment().batch())
                .isEqualTo(ComponentDef.of("spark"));
        for (String master : List.of("local", "local[1]", "local[16]", "local[*]", "spark://10.0.0.7:7077",
                "spark://master.example:7077", "yarn", "k8s://https://10.0.0.1:6443")) {
            assertThat(DeploymentDef.problem("batch", "master", master)).as(master).isNull();
        }
        assertThat(errors(BASE + "batch: {engine: spark, master: \"local[0]\", threads: 2}\n"))
                .containsExactlyInAnyOrder("batch.master: expected a Spark master (local, local[N], local[*], "
                        + "spark://host:port, yarn, k8s://https://host:port), got \"local[0]\"",
                        "batch.threads: unknown key (expected every, engine, master)");
        for (String master : List.of("", "local[]", "local[x]", "local[-1]", "spark://h", "spark://:7077",
                "mesos://h:5050", "k8s://", "yarn-client", " local")) {
            assertThat(DeploymentDef.problem("batch", "master", master)).as(master)
                    .isEqualTo("expected a Spark master (local, local[N], local[*], spark://host:port, yarn, "
                            + "k8s://https://host:port), got \"" + master + "\"");
        }
        assertThat(errors(BASE + "batch: {engine: spark, master: \"spark://h:70770\"}\n")).containsExactly(
                "batch.master: port 70770 is out of range (1 to 65535) in \"spark://h:70770\"");
        assertThat(errors(BASE + "batch: {engine: duckdb, master: local}\n")).containsExactly(
                "batch.master: unknown key (expected every, engine)");
    }

    @Test
    void absentCache_isTheDefault() {
        assertThat(ConfigLoader.parse(BASE, "t.yaml").queryCache()).isEqualTo(QueryCacheDef.DEFAULT);
    }

    @Test
    void needs_areReadOnEveryKindOfWorkload() {
        TandemConfig config = ConfigLoader.parse(BASE.replace("measures: {volume: sum(qty), trades: count}",
                "measures: {volume: sum(qty), trades: count}\n    needs: {user_waiting: true, freshness: 2s,"
                        + " staleness: 10m, volume: auto, complex: false, trigger: false, session_bound: true}")
                + """
                reports:
                  daily:
                    sql: "SELECT 1 WHERE '{{period_start}}' < '{{period_end}}'"
                    schedule: daily at 00:00
                    format: csv
                    needs: {volume: 2000000}
                alerts:
                  big: {view: trades_1m, on: close, condition: "volume > 10.0", needs: {trigger: true}}
                """, "t.yaml");

        assertThat(config.views().get("trades_1m").needs()).isEqualTo(new Needs(true, false, true, 2_000L,
                600_000L, Needs.Volume.AUTO, false));
        assertThat(config.reports().get("daily").needs().volume()).isEqualTo(Needs.Volume.perDay(2_000_000));
        assertThat(config.alerts().get("big").needs().trigger()).isTrue();
    }

    @Test
    void badWorkloads_areErrorsNamingTheKeyAndTheValue() {
        assertThat(errors(BASE + """
                analyses:
                  a: {view: nope, measure: volume}
                  b: {view: trades_1m, measure: price}
                  c: {view: trades_1m, measure: volume, for_each: [price]}
                indexes:
                  i: {stream: news, fields: [words]}
                  j: {stream: news, fields: [nope]}
                  k: {stream: nowhere, fields: [headline]}
                query_cache: {max_bytes: 12 parsecs, warm: -1}
                """)).containsExactlyInAnyOrder(
                "analyses.a.view: unknown view 'nope' (views: trades_1m)",
                "analyses.b.measure: unknown measure 'price' in view 'trades_1m' (measures: volume, trades)",
                "analyses.c.for_each[0]: 'price' is not a group_by field of view 'trades_1m' (group_by: symbol, venue)",
                "indexes.i.fields[0]: field 'words' is long, not string (only string fields are searched)",
                "indexes.j.fields[0]: unknown field 'nope' in stream 'news' (fields: headline, symbol, source, words)",
                "indexes.k.stream: unknown stream 'nowhere' (streams: trades, news)",
                "query_cache.max_bytes: expected a size like 65536, 512KiB, 64MiB or 1GiB, got \"12 parsecs\"",
                "query_cache.warm: expected a whole number from 0 to 10000, got -1");
    }

    @Test
    void anAnalysisOverFewerDimensions_needsAMeasureThatAddsUp() {
        String config = BASE.replace("measures: {volume: sum(qty), trades: count}",
                "measures: {volume: sum(qty), trades: count, high: max(price)}") + """
                analyses:
                  by_symbol_volume: {view: trades_1m, measure: volume, for_each: [symbol]}
                  by_symbol_trades: {view: trades_1m, measure: trades, for_each: [symbol]}
                  every_group_high: {view: trades_1m, measure: high}
                  by_symbol_high: {view: trades_1m, measure: high, for_each: [symbol]}
                """;
        assertThat(errors(config)).containsExactly("analyses.by_symbol_high.for_each: [symbol] leaves out dimensions "
                + "of view 'trades_1m', which only a count or sum can add up; measure 'high' is max");
    }

    @Test
    void badNeeds_areErrorsNamingTheKeyAndTheValue() {
        assertThat(errors(BASE.replace("measures: {volume: sum(qty), trades: count}",
                "measures: {volume: sum(qty), trades: count}\n    needs: {freshness: soon, volume: lots,"
                        + " complex: maybe, speed: 1}"))).containsExactlyInAnyOrder(
                "views.trades_1m.needs.freshness: expected a duration like 500ms, 5s, 1m, 1h or 1d, got \"soon\"",
                "views.trades_1m.needs.volume: expected records per day (a whole number like 50000) or auto,"
                        + " got \"lots\"",
                "views.trades_1m.needs.complex: expected true or false, got \"maybe\"",
                "views.trades_1m.needs.speed: unknown key (expected user_waiting, trigger, session_bound,"
                        + " freshness, staleness, volume, complex)");
    }

    @Test
    void security_isRead_withPathsFromTheConfigsFolder(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("tandem.yaml"), BASE + """
                security:
                  tokens_file: secrets/tokens.jsonl
                  tls: {cert_file: /etc/tandem/cert.pem, key_file: key.pem}
                  rate_limit: {requests_per_second: 2.5, burst: 10}
                """);
        SecurityDef security = ConfigLoader.load(file).security();
        assertThat(security.tokensFile()).isEqualTo(dir.resolve("secrets/tokens.jsonl"));
        assertThat(security.tls()).isEqualTo(new SecurityDef.Tls(Path.of("/etc/tandem/cert.pem"),
                dir.resolve("key.pem")));
        assertThat(security.rateLimit()).isEqualTo(new SecurityDef.RateLimit(2.5, 10));
        assertThat(ConfigLoader.parse(BASE, "t.yaml").security()).isEqualTo(SecurityDef.NONE);
    }

    @Test
    void securityMistakes_areNamed() {
        assertThat(errors(BASE + """
                security:
                  token_file: t.jsonl
                  tls: {cert_file: c.pem}
                  rate_limit: {requests_per_second: 0, burst: 1.5}
                """)).containsExactly(
                "security.token_file: unknown key (expected tokens_file, tls, rate_limit); did you mean `tokens_file`?",
                "security.tls.key_file: missing (a PEM file)",
                "security.rate_limit.requests_per_second: expected a number from 0.01 to 1000000, got 0");
        assertThat(errors(BASE + "security: 5\n")).containsExactly(
                "security: expected a mapping like {tokens_file: tokens.jsonl}, got 5");
        assertThat(errors(BASE + "security: {rate_limit: {requests_per_second: 5, burst: -1}}\n")).containsExactly(
                "security.rate_limit.burst: expected a whole number from 1 to 10000000, got -1");
    }

    private static List<String> errors(String yaml) {
        try {
            ConfigLoader.parse(yaml, "t.yaml");
        } catch (ConfigException e) {
            return e.errors();
        }
        throw new AssertionError("expected errors");
    }

    @Test
    void needsKeys_areTheConfigKeys() {
        assertThat(ConfigKeys.NEEDS.names()).isEqualTo(List.of("user_waiting", "trigger", "session_bound", "freshness",
                "staleness", "volume", "complex"));
    }
}
