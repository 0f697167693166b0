package io.tandem.engine.batchview;

import io.tandem.core.GroupKey;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.function.Supplier;

/**
 * The range files of batch versions read lately, decoded, least recently used first out. Its size is bounded by
 * estimated bytes: each range counts the size of its {@code .bin} file, and the ranges held never count more than
 * {@code maxBytes} together; a range larger than that on its own is read and handed out, never held. A range is
 * read outside the lock, so readers of different ranges do not wait for one another.
 */
final class RangeCache {

    /** One range file: its rows, and what it counts. */
    private record Entry(NavigableMap<Long, Map<GroupKey, Object[]>> rows, long bytes) {
    }

    private final long maxBytes;
    private final LinkedHashMap<Object, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
    private long bytes;
    private long peakBytes;

    RangeCache(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    /**
     * The rows of the range file {@code key} names, held or read by {@code reader}.
     *
     * @param size what the range counts against the bound: its file's size
     */
    NavigableMap<Long, Map<GroupKey, Object[]>> get(Object key, long size,
                                                   Supplier<NavigableMap<Long, Map<GroupKey, Object[]>>> reader) {
        synchronized (this) {
            Entry held = entries.get(key);
            if (held != null) {
                return held.rows;
            }
        }
        NavigableMap<Long, Map<GroupKey, Object[]>> rows = reader.get();
        if (size > maxBytes) {
            return rows;
        }
        synchronized (this) {
            Entry held = entries.get(key);
            if (held != null) {
                return held.rows;
            }
            Iterator<Entry> eldest = entries.values().iterator();
            while (bytes + size > maxBytes && eldest.hasNext()) {
                bytes -= eldest.next().bytes;
                eldest.remove();
            }
            entries.put(key, new Entry(rows, size));
            bytes += size;
            peakBytes = Math.max(peakBytes, bytes);
            return rows;
        }
    }

    /** The bytes the held ranges count now. */
    synchronized long bytes() {
        return bytes;
    }

    /** The most bytes the held ranges ever counted together. */
    synchronized long peakBytes() {
        return peakBytes;
    }

    /** The number of ranges held. */
    synchronized int size() {
        return entries.size();
    }
}
