package io.tandem.engine.analysis;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A live feed of analysis results as they are published (each quick result, then its deep update), for one consumer,
 * with a bounded buffer. Publishers never wait: when the buffer is full the subscription ends and
 * {@link #overflowed()} says so; the consumer resumes with the last event id it saw.
 */
public final class AnalysisSubscription implements AutoCloseable {

    private final BlockingQueue<AnalysisResult> buffer;
    private final Consumer<AnalysisSubscription> onClose;
    private volatile boolean overflowed;
    private volatile boolean closed;

    AnalysisSubscription(int capacity, List<AnalysisResult> replay, Consumer<AnalysisSubscription> onClose) {
        this.buffer = new ArrayBlockingQueue<>(Math.max(capacity, replay.size() + 1));
        this.buffer.addAll(replay);
        this.onClose = onClose;
    }

    void offer(AnalysisResult result) {
        if (closed) {
            return;
        }
        if (!buffer.offer(result)) {
            overflowed = true;
            close();
        }
    }

    /** The next result, waiting up to {@code timeout}; null on timeout, or once ended and drained. */
    public AnalysisResult poll(Duration timeout) throws InterruptedException {
        AnalysisResult next = buffer.poll();
        if (next != null || closed) {
            return next;
        }
        return buffer.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Whether it ended because its consumer fell too far behind. */
    public boolean overflowed() {
        return overflowed;
    }

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
