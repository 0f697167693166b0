package io.tandem.engine.live;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * One subscriber of a live view: the row updates that match its filter, in id order, first those it missed (on
 * resume) and then those of every flush from now on. Read it from one thread with {@link #poll}.
 *
 * <p>The updates wait in a bounded queue. A subscriber that lets it fill up is dropped: the queue is emptied,
 * {@link #poll} answers null, and {@link #dropReason()} says why. It reconnects with the last id it received
 * and resumes from there, so falling behind costs it nothing but the reconnection; the hot path and the other
 * subscribers never wait for it, and it never holds more than its queue.
 */
public final class Subscription implements AutoCloseable {

    /** Wakes a consumer waiting in {@link #poll} once the subscription is closed. */
    private static final LiveRow CLOSED = new LiveRow(Long.MIN_VALUE, "", null);

    private final LiveFilter filter;
    private final Deque<LiveRow> backlog;
    private final BlockingQueue<LiveRow> queue;
    private final int capacity;
    private final String resumeNote;
    private final Consumer<Subscription> onClose;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile String dropReason;

    Subscription(LiveFilter filter, List<LiveRow> backlog, int capacity, String resumeNote,
                 Consumer<Subscription> onClose) {
        this.filter = filter;
        this.backlog = new ArrayDeque<>(backlog);
        this.queue = new ArrayBlockingQueue<>(capacity + 1);
        this.capacity = capacity;
        this.resumeNote = resumeNote;
        this.onClose = onClose;
    }

    public LiveFilter filter() {
        return filter;
    }

    /**
     * How the subscription began, when it could not resume exactly where the subscriber left off (its last id is
     * older than what the process keeps, or from another run): it then starts with the current rows of the view's
     * recent buckets. Null when it resumed exactly or was given no last id.
     */
    public String resumeNote() {
        return resumeNote;
    }

    /**
     * The next row update, waiting up to the timeout; null on timeout and, at once, when the subscription is
     * closed (see {@link #isClosed()} and {@link #dropReason()}).
     */
    public LiveRow poll(long timeout, TimeUnit unit) throws InterruptedException {
        if (closed.get()) {
            return null;
        }
        LiveRow next = backlog.poll();
        if (next == null) {
            next = queue.poll(timeout, unit);
        }
        return next == CLOSED ? null : next;
    }

    public boolean isClosed() {
        return closed.get();
    }

    /** Why the subscription was dropped, or null while it is open or when the subscriber closed it. */
    public String dropReason() {
        return dropReason;
    }

    /** Called by the flusher only. False once the subscription is closed, by its subscriber or for falling behind. */
    boolean offer(LiveRow row) {
        if (closed.get()) {
            return false;
        }
        if (queue.size() >= capacity) {
            drop("client too slow: " + queue.size() + " row updates behind; reconnect with Last-Event-ID");
            return false;
        }
        return queue.offer(row);
    }

    private void drop(String reason) {
        if (!closed.get()) {
            dropReason = reason;
            close();
        }
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        queue.clear();
        queue.offer(CLOSED);
        onClose.accept(this);
    }
}
