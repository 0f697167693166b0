package io.tandem.engine.hot;

import io.tandem.core.GroupKey;
import io.tandem.core.ViewDef;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Which buckets of some views have closed: a bucket closes once its stream's watermark has passed its end
 * ({@code bucket + granularity <= watermark}). Fed with the groups each commit changed and the stream's watermark
 * after it ({@link HotPathListener#onCommit}); the closed buckets come out oldest first, each once. Used by one
 * thread (the alert thread, the analysis thread).
 */
public final class ClosingBuckets {

    /** Receives one closed bucket of a view and the groups it holds. */
    @FunctionalInterface
    public interface Closed {
        void closed(ViewDef view, long bucket, Set<GroupKey> groups);
    }

    private final Map<String, ViewDef> views;
    private final Map<String, TreeMap<Long, Set<GroupKey>>> open = new HashMap<>();
    private final Map<String, Long> watermarks = new HashMap<>();

    public ClosingBuckets(Map<String, ViewDef> views) {
        this.views = views;
    }

    /** A group of a view changed in a bucket: it is open until the watermark passes it. */
    public void changed(String view, GroupKey dims, long bucket) {
        open.computeIfAbsent(view, v -> new TreeMap<>()).computeIfAbsent(bucket, b -> new HashSet<>()).add(dims);
    }

    /** The stream's watermark is now {@code watermark}; true when it moved forward. */
    public boolean watermark(String stream, long watermark) {
        long before = watermarks.getOrDefault(stream, Long.MIN_VALUE);
        if (watermark > before) {
            watermarks.put(stream, watermark);
            return true;
        }
        return false;
    }

    /** Removes the buckets the watermarks have closed and hands them over, oldest first within each view. */
    public void poll(Closed out) {
        open.forEach((name, buckets) -> {
            ViewDef view = views.get(name);
            long wm = watermarks.getOrDefault(view.from(), Long.MIN_VALUE);
            while (!buckets.isEmpty() && buckets.firstKey() + view.granularityMs() <= wm) {
                Map.Entry<Long, Set<GroupKey>> closing = buckets.pollFirstEntry();
                out.closed(view, closing.getKey(), closing.getValue());
            }
        });
    }
}
