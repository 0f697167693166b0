package io.tandem.server;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import io.tandem.engine.feed.Feed;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Serves {@link Feed}s (alerts, analysis results, live view rows) as server-sent events, without a thread per
 * client: each stream is an asynchronous request written with non-blocking I/O by {@value #WRITERS} writer threads
 * shared by every client, woken when its feed has something. A client that does not read holds no thread: its
 * writes wait in its socket, its feed fills and ends, and Jetty's idle timeout closes the connection.
 *
 * <p>A stream begins with a {@code connected} comment (or the feed's {@link Feed#resumeNote()}), then one event per
 * item with the item's id, a {@code heartbeat} comment after {@value #HEARTBEAT_SECONDS} s without one, and, for a
 * client that fell more than the feed's capacity behind, a last {@code dropped} event before the stream ends. A
 * client resumes with {@code Last-Event-ID} or the query parameter {@value #LAST_ID_PARAM}, on every feed.
 */
final class FeedStreams implements AutoCloseable {

    static final int CLIENT_BUFFER = 1_024;
    /** The one resume parameter of every feed, for clients that cannot set {@code Last-Event-ID}. */
    static final String LAST_ID_PARAM = "last_event_id";
    static final int HEARTBEAT_SECONDS = 15;
    static final int WRITERS = 2;
    private static final Logger LOG = LoggerFactory.getLogger(FeedStreams.class);

    private final AtomicInteger threads = new AtomicInteger();
    private final ExecutorService writers = Executors.newFixedThreadPool(WRITERS, r -> daemon(r, "sse-writer-"));
    private final ScheduledExecutorService heartbeats =
            Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "sse-heartbeat-"));
    private final Set<Stream<?>> open = ConcurrentHashMap.newKeySet();

    FeedStreams() {
        heartbeats.scheduleWithFixedDelay(() -> open.forEach(Stream::heartbeatIfQuiet), 1, 1, TimeUnit.SECONDS);
    }

    /**
     * Answers the request with a stream of the feed {@code subscribe} opens; returns at once, leaving the request
     * open until the client goes, the feed ends or the server stops.
     *
     * @param subscribe the feed that resumes after the event id it is given (null: from now on)
     * @param items     what the events are, for the {@code dropped} message
     */
    <T> void serve(Context ctx, Function<String, Feed<T>> subscribe, String event, Function<T, String> data,
                   Function<T, String> id, String items) {
        String lastId = ctx.header("Last-Event-ID");
        if (lastId == null) {
            lastId = ctx.queryParam(LAST_ID_PARAM);
        }
        Feed<T> feed = subscribe.apply(lastId);
        Stream<T> stream = new Stream<>(ctx, feed, event, data, id, items);
        ctx.status(200);
        ctx.res().setCharacterEncoding("UTF-8");
        ctx.contentType("text/event-stream");
        ctx.header("Cache-Control", "no-cache");
        ctx.header("X-Accel-Buffering", "no");
        ctx.future(stream::start);
    }

    /** The streams open now. */
    int open() {
        return open.size();
    }

    /** Ends every open stream (the server is stopping). */
    @Override
    public void close() {
        open.forEach(Stream::end);
        heartbeats.shutdownNow();
        writers.shutdownNow();
    }

    private Thread daemon(Runnable r, String prefix) {
        Thread t = new Thread(r, prefix + threads.incrementAndGet());
        t.setDaemon(true);
        return t;
    }

    /** One client's stream: what is left to write, and the feed it comes from. */
    private final class Stream<T> implements WriteListener, AsyncListener {

        private final Context ctx;
        private final Feed<T> feed;
        private final String event;
        private final Function<T, String> data;
        private final Function<T, String> id;
        private final String items;
        private final CompletableFuture<Void> done = new CompletableFuture<>();
        private final AtomicBoolean woken = new AtomicBoolean();
        private volatile boolean heartbeatDue;
        private volatile long lastWriteNanos = System.nanoTime();
        /** Guarded by this. */
        private ServletOutputStream out;
        private byte[] pending;
        private boolean unflushed;
        private boolean lastSent;

        Stream(Context ctx, Feed<T> feed, String event, Function<T, String> data, Function<T, String> id,
               String items) {
            this.ctx = ctx;
            this.feed = feed;
            this.event = event;
            this.data = data;
            this.id = id;
            this.items = items;
            this.pending = comment(feed.resumeNote() != null ? feed.resumeNote() : "connected");
        }

        /** Runs once the request is asynchronous: from here on the container calls back when it can write. */
        CompletableFuture<Void> start() {
            try {
                ctx.req().getAsyncContext().setTimeout(0);
                ctx.req().getAsyncContext().addListener(this);
                open.add(this);
                synchronized (this) {
                    out = ctx.res().getOutputStream();
                    feed.onAvailable(this::wake);
                    out.setWriteListener(this);
                }
            } catch (IOException | RuntimeException e) {
                LOG.debug("live {} stream could not start: {}", event, e.toString());
                end();
            }
            return done;
        }

        private void wake() {
            if (woken.compareAndSet(false, true)) {
                try {
                    writers.execute(() -> {
                        woken.set(false);
                        drain();
                    });
                } catch (RejectedExecutionException stopping) {
                    end();
                }
            }
        }

        void heartbeatIfQuiet() {
            if (System.nanoTime() - lastWriteNanos >= TimeUnit.SECONDS.toNanos(HEARTBEAT_SECONDS)) {
                heartbeatDue = true;
                wake();
            }
        }

        @Override
        public void onWritePossible() {
            drain();
        }

        /** Writes what it can without blocking; the container calls {@link #onWritePossible} for the rest. */
        private synchronized void drain() {
            if (out == null || done.isDone()) {
                return;
            }
            try {
                while (out.isReady()) {
                    if (pending == null) {
                        pending = next();
                    }
                    if (pending == null) {
                        if (unflushed) {
                            unflushed = false;
                            out.flush();
                            continue;
                        }
                        if (lastSent) {
                            end();
                        }
                        return;
                    }
                    out.write(pending);
                    pending = null;
                    unflushed = true;
                    lastWriteNanos = System.nanoTime();
                }
            } catch (IOException | RuntimeException e) {
                LOG.debug("live {} client gone: {}", event, e.toString());
                end();
            }
        }

        /** The next frame to send, or null when there is none now. */
        private byte[] next() throws IOException {
            if (lastSent) {
                return null;
            }
            T item;
            try {
                item = feed.poll(Duration.ZERO);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
            if (item != null) {
                return frame(event, data.apply(item), id.apply(item));
            }
            if (feed.closed()) {
                lastSent = true;
                if (feed.overflowed()) {
                    ObjectNode last = JsonNodeFactory.instance.objectNode();
                    TandemServer.errorNode(last, 429, "this client fell more than " + feed.capacity() + " "
                            + items + " behind and is disconnected; reconnect with Last-Event-ID to resume")
                            .put("code", "fell_behind");
                    return frame("dropped", last.toString(), null);
                }
                return null;
            }
            if (heartbeatDue) {
                heartbeatDue = false;
                return comment("heartbeat");
            }
            return null;
        }

        /** Ends the stream: the feed is closed and the request completes. */
        void end() {
            open.remove(this);
            feed.close();
            done.complete(null);
        }

        @Override
        public void onError(Throwable t) {
            LOG.debug("live {} client gone: {}", event, t.toString());
            end();
        }

        @Override
        public void onComplete(AsyncEvent e) {
            end();
        }

        @Override
        public void onTimeout(AsyncEvent e) {
            end();
        }

        @Override
        public void onError(AsyncEvent e) {
            end();
        }

        @Override
        public void onStartAsync(AsyncEvent e) {
            // the stream is registered once, in start()
        }
    }

    private static byte[] comment(String text) {
        StringBuilder b = new StringBuilder();
        for (String line : text.split("\n", -1)) {
            b.append(": ").append(line).append('\n');
        }
        return b.append('\n').toString().getBytes(StandardCharsets.UTF_8);
    }

    /** An event; CR and LF are stripped from its name and id, and each line of the data is a {@code data:} line. */
    private static byte[] frame(String event, String data, String id) {
        StringBuilder b = new StringBuilder();
        if (id != null) {
            b.append("id: ").append(id.replace("\r", "").replace("\n", "")).append('\n');
        }
        b.append("event: ").append(event.replace("\r", "").replace("\n", "")).append('\n');
        for (String line : data.split("\r\n|\r|\n", -1)) {
            b.append("data: ").append(line).append('\n');
        }
        return b.append('\n').toString().getBytes(StandardCharsets.UTF_8);
    }
}
