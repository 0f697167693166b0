package io.tandem.engine.feed;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The open {@link Feed}s of one publisher. Call {@link #subscribe} and {@link #publish} under the lock that guards
 * the publisher's history, so that nothing published between a feed's replay and its first live item is lost or
 * repeated.
 */
public final class Feeds<T> {

    private final List<Feed<T>> open = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    /** A feed that starts with {@code replay}, then gets what is published; already ended after {@link #close()}. */
    public Feed<T> subscribe(List<T> replay, int capacity) {
        Feed<T> feed = new Feed<>(capacity, replay, null, open::remove);
        if (closed) {
            feed.close();
        } else {
            open.add(feed);
        }
        return feed;
    }

    /** Offers the item to every open feed; answers how many of them it ended for being full. */
    public int publish(T item) {
        int overflowed = 0;
        for (Feed<T> feed : open) {
            if (feed.overflowsOn(item)) {
                overflowed++;
            }
        }
        return overflowed;
    }

    /** Ends every feed, and those subscribed from now on. */
    public void close() {
        closed = true;
        open.forEach(Feed::close);
    }
}
