package io.tandem.server;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.sse.SseClient;
import io.tandem.engine.feed.Feed;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.function.Function;

/**
 * Serves a {@link Feed} (alerts, analysis results, live view rows) as server-sent events: a {@code connected}
 * comment (or the feed's {@link Feed#resumeNote()}), one event per item with the item's id, a {@code heartbeat}
 * comment after {@value #HEARTBEAT_SECONDS} s without one, and, for a client that fell more than the feed's
 * capacity behind, a last {@code dropped} event before the stream ends. A client resumes with
 * {@code Last-Event-ID} or the query parameter {@value #LAST_ID_PARAM}, on every feed.
 */
final class FeedStream {

    static final int CLIENT_BUFFER = 1_024;
    /** The one resume parameter of every feed, for clients that cannot set {@code Last-Event-ID}. */
    static final String LAST_ID_PARAM = "last_event_id";
    static final int HEARTBEAT_SECONDS = 15;
    private static final Duration POLL = Duration.ofSeconds(1);
    private static final Logger LOG = LoggerFactory.getLogger(FeedStream.class);

    private FeedStream() {
    }

    /**
     * Runs on the request's thread for as long as the client stays: the feed's buffer is its queue.
     *
     * @param subscribe the feed that resumes after the event id it is given (null: from now on)
     * @param items what the events are, for the {@code dropped} message
     */
    static <T> void serve(SseClient client, Function<String, Feed<T>> subscribe, String event,
                          Function<T, String> data, Function<T, String> id, String items) {
        String lastId = client.ctx().header("Last-Event-ID");
        if (lastId == null) {
            lastId = client.ctx().queryParam(LAST_ID_PARAM);
        }
        try (Feed<T> feed = subscribe.apply(lastId)) {
            client.sendComment(feed.resumeNote() != null ? feed.resumeNote() : "connected");
            long quietSince = System.nanoTime();
            while (!client.terminated()) {
                T item = feed.poll(POLL);
                if (item != null) {
                    client.sendEvent(event, data.apply(item), id.apply(item));
                    quietSince = System.nanoTime();
                } else if (feed.closed()) {
                    if (feed.overflowed()) {
                        ObjectNode last = JsonNodeFactory.instance.objectNode();
                        last.put("error", "this client fell more than " + feed.capacity() + " " + items
                                + " behind and is disconnected; reconnect with Last-Event-ID to resume");
                        client.sendEvent("dropped", last.toString());
                    }
                    return;
                } else if (System.nanoTime() - quietSince >= Duration.ofSeconds(HEARTBEAT_SECONDS).toNanos()) {
                    client.sendComment("heartbeat");
                    quietSince = System.nanoTime();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.debug("live {} client gone: {}", event, e.toString());
        }
    }
}
