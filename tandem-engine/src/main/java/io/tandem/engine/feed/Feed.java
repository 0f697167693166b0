package io.tandem.engine.feed;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A live feed of published items (alerts, analysis results) for one consumer, such as an SSE client, with a
 * bounded buffer. Publishers never wait for it: when the buffer is full the feed ends and {@link #overflowed()}
 * says so; the consumer should tell its client, which reconnects with the last id it saw.
 */
public final class Feed<T> implements AutoCloseable {

    private final BlockingQueue<T> buffer;
    private final Consumer<Feed<T>> onClose;
    private volatile boolean overflowed;
    private volatile boolean closed;

    Feed(int capacity, List<T> replay, Consumer<Feed<T>> onClose) {
        this.buffer = new ArrayBlockingQueue<>(Math.max(capacity, replay.size() + 1));
        this.buffer.addAll(replay);
        this.onClose = onClose;
    }

    /** Buffers the item; true when the buffer is full and the feed ends now for it. */
    boolean overflowsOn(T item) {
        if (closed || buffer.offer(item)) {
            return false;
        }
        overflowed = true;
        close();
        return true;
    }

    /** The next item, waiting up to {@code timeout}; null on timeout, or once the feed has ended and is drained. */
    public T poll(Duration timeout) throws InterruptedException {
        T next = buffer.poll();
        if (next != null || closed) {
            return next;
        }
        return buffer.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
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
        }
    }
}
