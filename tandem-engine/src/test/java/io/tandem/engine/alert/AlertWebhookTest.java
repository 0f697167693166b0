package io.tandem.engine.alert;

import com.sun.net.httpserver.HttpServer;
import io.tandem.core.config.ConfigLoader;
import io.tandem.core.time.Timestamps;
import io.tandem.engine.Tandem;
import io.tandem.engine.TandemOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Webhooks against real local HTTP endpoints: retried with the same idempotency key, then dead-lettered. */
class AlertWebhookTest {

    static final long T = Timestamps.parse("2026-11-26T10:00:00Z");

    @TempDir
    Path dir;
    HttpServer endpoint;
    final AtomicInteger calls = new AtomicInteger();
    final List<String> keys = new CopyOnWriteArrayList<>();
    final List<String> bodies = new CopyOnWriteArrayList<>();
    /** The endpoint answers 503 to the first this many calls, then 200. */
    volatile int failures;

    @BeforeEach
    void startEndpoint() throws IOException {
        endpoint = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        endpoint.createContext("/hook", exchange -> {
            try (InputStream in = exchange.getRequestBody()) {
                bodies.add(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
            keys.add(exchange.getRequestHeaders().getFirst("Idempotency-Key"));
            exchange.sendResponseHeaders(calls.incrementAndGet() <= failures ? 503 : 200, -1);
            exchange.close();
        });
        endpoint.start();
    }

    @AfterEach
    void stopEndpoint() {
        endpoint.stop(0);
    }

    Tandem start() {
        String config = """
                streams:
                  trades: {time: ts, fields: {symbol: string, qty: long}}
                alerts:
                  big_trade:
                    stream: trades
                    on: event
                    condition: "qty >= 1000"
                    webhook: http://127.0.0.1:%d/hook
                """.formatted(endpoint.getAddress().getPort());
        return Tandem.start(ConfigLoader.parse(config, "test.yaml"),
                TandemOptions.defaults(dir).withPartitions(1).withClock(() -> T));
    }

    static void bigTrade(Tandem tandem) {
        tandem.ingest("trades", ("{\"ts\":" + T + ",\"symbol\":\"AAPL\",\"qty\":5000}\n")
                .getBytes(StandardCharsets.UTF_8), null);
    }

    @Test
    void when_theEndpointFailsTwice_then_theThirdAttemptDeliversIt_withOneIdempotencyKey() {
        failures = 2;
        try (Tandem tandem = start()) {
            bigTrade(tandem);

            await().atMost(Duration.ofSeconds(10)).until(() -> calls.get() == 3);
            Alert alert = tandem.alerts().history(Long.MIN_VALUE, Long.MAX_VALUE, null, 10).get(0);
            assertThat(keys).containsOnly(alert.id());
            assertThat(bodies).containsOnly(alert.json());
            assertThat(tandem.alerts().deadLetters()).isEmpty();
        }
        // delivered once: closing sends nothing more
        assertThat(calls.get()).isEqualTo(3);
    }

    @Test
    void when_theEndpointAlwaysFails_then_theAlertIsDeadLettered_andStaysListedAfterARestart() throws IOException {
        failures = Integer.MAX_VALUE;
        String id;
        try (Tandem tandem = start()) {
            bigTrade(tandem);

            await().atMost(Duration.ofSeconds(10)).until(() -> !tandem.alerts().deadLetters().isEmpty());
            DeadLetter dead = tandem.alerts().deadLetters().get(0);
            id = dead.alert().id();
            assertThat(dead.attempts()).isEqualTo(Webhooks.ATTEMPTS);
            assertThat(dead.error()).isEqualTo("HTTP 503");
            assertThat(dead.webhook()).endsWith("/hook");
            assertThat(calls.get()).isEqualTo(Webhooks.ATTEMPTS);
            assertThat(keys).containsOnly(id);
        }
        assertThat(Files.readAllLines(dir.resolve("alerts/dead-letters.jsonl"))).hasSize(1);
        try (Tandem tandem = start()) {
            assertThat(tandem.alerts().deadLetters()).extracting(d -> d.alert().id()).containsExactly(id);
        }
    }
}
