package io.tandem.engine.feed;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A live feed of published items (alerts, analysis results, live view rows) for one consumer, such as an SSE
 * client, with a bounded buffer: the one subscription type of the process. It starts with the items the consumer
 * missed when it resumed after an id, then gets what is published. Publishers never wait for it: when the buffer
 * is full the feed ends and {@link #overflowed()} says so; the consumer should tell its client, which reconnects
 * with the last id it saw.
 */
public final class Feed<T> implements AutoCloseable {

    private final BlockingQueue<T> buffer;
    private final int capacity;
    private final String resumeNote;
    private final Consumer<Feed<T>> onClose;
    private volatile boolean overflowed;
    private volatile boolean closed;
    private volatile Runnable onAvailable = () -> { };

    /**
     * @param capacity   how many items may wait for the consumer, besides the replay
     * @param replay     what the consumer missed, first
     * @param resumeNote how the feed began when it could not resume exactly where its consumer left off, or null
     * @param onClose    told once when the feed ends
     */
    public Feed(int capacity, List<T> replay, String resumeNote, Consumer<Feed<T>> onClose) {
        this.buffer = new ArrayBlockingQueue<>(Math.max(1, capacity + replay.size()));
        this.buffer.addAll(replay);
        this.capacity = capacity;
        this.resumeNote = resumeNote;
        this.onClose = onClose;
    }

    /** For publishers: buffers the item; true when the buffer is full and the feed ends now for it. */
    public boolean overflowsOn(T item) {
        if (closed) {
            return false;
        }
        if (buffer.offer(item)) {
            onAvailable.run();
            return false;
        }
        overflowed = true;
        close();
        return true;
    }

    /**
     * Tells {@code listener} whenever an item is buffered and when the feed ends, on the publisher's thread: a
     * consumer that does not wait in {@link #poll} learns so that there is something to take. It must not block.
     * Called once now when the feed already holds items or has ended.
     */
    public void onAvailable(Runnable listener) {
        this.onAvailable = listener;
        if (!buffer.isEmpty() || closed) {
            listener.run();
        }
    }

    /** The next item, waiting up to {@code timeout}; null on timeout, or once the feed has ended and is drained. */
    public T poll(Duration timeout) throws InterruptedException {
        T next = buffer.poll();
        if (next != null || closed) {
            return next;
        }
        return buffer.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** How many published items may wait for the consumer before the feed ends. */
    public int capacity() {
        return capacity;
    }

    /**
     * How the feed began when it could not resume exactly after the consumer's last id (that id is older than
     * what the publisher keeps, or from another run), such as a live view starting with its recent rows instead;
     * null when it resumed exactly or was given no id.
     */
    public String resumeNote() {
        return resumeNote;
    }

    /** Whether it ended because its consumer fell too far behind. */
    public boolean overflowed() {
        return overflowed;
    }

    /** Whether it has ended: closed by its consumer, by the publisher, or after an overflow. */
    public boolean closed() {
        return closed;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            onClose.accept(this);
            onAvailable.run();
        }
    }
}
