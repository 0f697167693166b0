package io.tandem.engine.alert;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A live feed of alerts as they fire, for one consumer (an SSE client), with a bounded buffer. The alert thread
 * never waits for a subscriber: when the buffer is full the subscription is ended and {@link #overflowed()} says
 * so, and the consumer should tell its client and let it reconnect with the last id it saw.
 */
public final class AlertSubscription implements AutoCloseable {

    private final BlockingQueue<Alert> buffer;
    private final Consumer<AlertSubscription> onClose;
    private volatile boolean overflowed;
    private volatile boolean closed;

    AlertSubscription(int capacity, List<Alert> replay, Consumer<AlertSubscription> onClose) {
        this.buffer = new ArrayBlockingQueue<>(Math.max(capacity, replay.size() + 1));
        this.buffer.addAll(replay);
        this.onClose = onClose;
    }

    /** Called by the alert thread; false, and the subscription ends, when the buffer is full. */
    boolean offer(Alert alert) {
        if (closed) {
            return false;
        }
        if (!buffer.offer(alert)) {
            overflowed = true;
            close();
            return false;
        }
        return true;
    }

    /**
     * The next alert, waiting up to {@code timeout}; null on timeout, or once the subscription has ended and its
     * buffer is empty.
     */
    public Alert poll(Duration timeout) throws InterruptedException {
        Alert next = buffer.poll();
        if (next != null || closed) {
            return next;
        }
        return buffer.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Whether it ended because its consumer fell too far behind. */
    public boolean overflowed() {
        return overflowed;
    }

    /** Whether it has ended: closed by its consumer, by the engine, or after an overflow. */
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
