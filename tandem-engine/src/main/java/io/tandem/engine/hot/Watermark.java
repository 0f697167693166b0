package io.tandem.engine.hot;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A stream's watermark: the largest event time seen on the stream minus its allowed lateness. Idle keys and
 * idle partitions never hold it back. A bucket is closed once the watermark reaches its end.
 */
public final class Watermark {

    private final long latenessMs;
    private final AtomicLong maxEventTime = new AtomicLong(Long.MIN_VALUE);

    public Watermark(long latenessMs) {
        this.latenessMs = latenessMs;
    }

    void observe(long eventTime) {
        maxEventTime.accumulateAndGet(eventTime, Math::max);
    }

    /** The current watermark, or {@link Long#MIN_VALUE} before any event. */
    public long current() {
        long max = maxEventTime.get();
        return max == Long.MIN_VALUE ? Long.MIN_VALUE : max - latenessMs;
    }
}
