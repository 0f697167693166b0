package io.tandem.engine.alert;

import io.tandem.engine.durable.JsonLines;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Delivers alerts to webhooks: a POST of the alert JSON with {@code Idempotency-Key: <alert id>}, retried on any
 * answer but 2xx (and on no answer) after 100 ms, 200 ms, 400 ms, ... up to {@link #MAX_BACKOFF_MS}, at most
 * {@link #ATTEMPTS} times; then the alert becomes a {@link DeadLetter}. One scheduler thread drives the attempts
 * and the requests are asynchronous, so a slow endpoint delays no other delivery.
 */
final class Webhooks implements AutoCloseable {

    static final int ATTEMPTS = 5;
    static final long FIRST_BACKOFF_MS = 100;
    static final long MAX_BACKOFF_MS = 5_000;
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final Logger LOG = LoggerFactory.getLogger(Webhooks.class);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "tandem-webhooks");
        t.setDaemon(true);
        return t;
    });
    private final JsonLines deadFile;
    private final List<DeadLetter> dead = new CopyOnWriteArrayList<>();
    private final LongSupplier clock;
    private final Runnable onDeadLetter;

    Webhooks(Path deadLetters, LongSupplier clock, Runnable onDeadLetter) {
        List<String> lines = new ArrayList<>();
        this.deadFile = JsonLines.open(deadLetters, lines);
        this.dead.addAll(JsonLines.parse(deadLetters, lines, DeadLetter::parse));
        this.clock = clock;
        this.onDeadLetter = onDeadLetter;
    }

    /** Schedules the first attempt now. */
    void deliver(Alert alert, String url) {
        scheduler.execute(() -> attempt(alert, url, 1));
    }

    /** The dead letters, oldest first, those of earlier runs included. */
    List<DeadLetter> deadLetters() {
        return List.copyOf(dead);
    }

    private void attempt(Alert alert, String url, int attempt) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url))
                .timeout(TIMEOUT)
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", alert.id())
                .POST(HttpRequest.BodyPublishers.ofString(alert.json()))
                .build();
        http.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, failure) -> {
            if (failure == null && response.statusCode() / 100 == 2) {
                return;
            }
            String error = failure != null ? String.valueOf(failure.getCause() != null ? failure.getCause() : failure)
                    : "HTTP " + response.statusCode();
            if (attempt >= ATTEMPTS) {
                deadLetter(new DeadLetter(alert, url, attempt, error, clock.getAsLong()));
                return;
            }
            long backoff = Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS << (attempt - 1));
            LOG.debug("webhook {} for alert {}: attempt {} failed ({}); retrying in {} ms", url, alert.id(), attempt,
                    error, backoff);
            if (!scheduler.isShutdown()) {
                scheduler.schedule(() -> attempt(alert, url, attempt + 1), backoff, TimeUnit.MILLISECONDS);
            }
        });
    }

    private void deadLetter(DeadLetter letter) {
        LOG.warn("webhook {} refused alert {} of rule {} {} times (last: {}); dead-lettered", letter.webhook(),
                letter.alert().id(), letter.alert().rule(), letter.attempts(), letter.error());
        try {
            deadFile.append(List.of(letter.toJson().toString()));
        } catch (RuntimeException e) {
            LOG.error("cannot write the dead letter of alert {}", letter.alert().id(), e);
        }
        dead.add(letter);
        onDeadLetter.run();
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        deadFile.close();
    }
}
