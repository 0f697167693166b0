package io.tandem.engine.alert;

import io.tandem.engine.durable.JsonLines;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The alerts fired, kept in {@code alerts.jsonl} (one {@link Alert#json()} a line, oldest first) and read from there;
 * what it holds in memory is bounded whatever the length of the file:
 *
 * <ul>
 *   <li>the ids of the newest {@code recent} alerts (default {@value #RECENT}) and the offset of each one's line,
 *       for the dedup of what fires and for the replay after a {@code Last-Event-ID};</li>
 *   <li>a Bloom filter of {@value #FILTER_BITS} bits (1 MiB) over the ids of the older alerts: an id it does not
 *       hold never fired; one it holds is looked up in the file, and when found remembered among the last
 *       {@value #CONFIRMED} such ids, so that a late update to an old bucket does not read the file each time;</li>
 *   <li>one entry per {@value #BLOCK} alerts: the offset of the first one and the range of their {@code fired_at},
 *       so that {@link #history} reads backwards from the end only the blocks that may hold what it asks for
 *       (24 bytes per thousand alerts).</li>
 * </ul>
 *
 * <p>Only the alert thread appends ({@link #append}, then {@link #published} once the alerts are in the feeds).
 * Readers see what is published, never an alert appended but not yet in the feeds.
 */
final class AlertHistory implements AutoCloseable {

    /** How many of the newest alerts' ids are held in memory by default. */
    static final int RECENT = 65_536;
    static final int BLOCK = 1_024;
    static final int CONFIRMED = 4_096;
    static final int FILTER_BITS = 1 << 23;
    private static final int HASHES = 4;
    private static final Logger LOG = LoggerFactory.getLogger(AlertHistory.class);

    private final Path file;
    private final JsonLines log;
    private final BitSet older = new BitSet(FILTER_BITS);
    private final Map<String, Long> recent;
    private final Map<String, Boolean> confirmed = bounded(CONFIRMED, id -> { });
    private long[] blockStart = new long[16];
    private long[] blockMin = new long[16];
    private long[] blockMax = new long[16];
    private int blocks;
    private int inLastBlock = BLOCK;
    /** Where the published alerts end in the file. */
    private long end;

    /** Opens {@code file} and reads it once, keeping the ids of its newest {@code recent} alerts. */
    AlertHistory(Path file, int recent) {
        this.file = file;
        this.recent = bounded(recent, this::forget);
        this.log = JsonLines.open(file);
        long size = log.size();
        int[] lineNo = {0};
        JsonLines.forEach(file, 0, size, (offset, line) -> {
            lineNo[0]++;
            try {
                add(Alert.parse(line), offset);
            } catch (IllegalArgumentException e) {
                LOG.warn("{} line {}: skipped: {}", file, lineNo[0], e.getMessage());
            }
            return true;
        });
        this.end = size;
    }

    private static <V> Map<String, V> bounded(int size, Consumer<String> evicted) {
        return new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
                if (size() > size) {
                    evicted.accept(eldest.getKey());
                    return true;
                }
                return false;
            }
        };
    }

    private void add(Alert a, long offset) {
        recent.putIfAbsent(a.id(), offset);
        if (inLastBlock == BLOCK) {
            if (blocks == blockStart.length) {
                blockStart = Arrays.copyOf(blockStart, blocks * 2);
                blockMin = Arrays.copyOf(blockMin, blocks * 2);
                blockMax = Arrays.copyOf(blockMax, blocks * 2);
            }
            blockStart[blocks] = offset;
            blockMin[blocks] = Long.MAX_VALUE;
            blockMax[blocks] = Long.MIN_VALUE;
            blocks++;
            inLastBlock = 0;
        }
        inLastBlock++;
        blockMin[blocks - 1] = Math.min(blockMin[blocks - 1], a.firedAt());
        blockMax[blocks - 1] = Math.max(blockMax[blocks - 1], a.firedAt());
    }

    private void forget(String id) {
        long h = hash(id);
        int h1 = (int) h;
        int h2 = (int) (h >>> 32);
        for (int i = 0; i < HASHES; i++) {
            older.set(Math.floorMod(h1 + i * h2, FILTER_BITS));
        }
    }

    private boolean mayBeOlder(String id) {
        long h = hash(id);
        int h1 = (int) h;
        int h2 = (int) (h >>> 32);
        for (int i = 0; i < HASHES; i++) {
            if (!older.get(Math.floorMod(h1 + i * h2, FILTER_BITS))) {
                return false;
            }
        }
        return true;
    }

    /** 64-bit FNV-1a of the id's characters. */
    private static long hash(String id) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < id.length(); i++) {
            h = (h ^ id.charAt(i)) * 0x100000001b3L;
        }
        return h;
    }

    /** Whether the alert is among the newest ones, read from memory only: true means it fired. */
    synchronized boolean firedRecently(String id) {
        return recent.containsKey(id) || confirmed.containsKey(id);
    }

    /**
     * Whether the alert fired, looking it up in the file when the filter of older ids may hold it; the file is
     * read outside the lock, so that readers of the history do not wait for the lookup. Alert thread only.
     */
    boolean fired(String id) {
        long until;
        synchronized (this) {
            if (firedRecently(id)) {
                return true;
            }
            if (!mayBeOlder(id)) {
                return false;
            }
            until = end;
        }
        boolean[] found = {false};
        String quoted = "\"" + id + "\"";
        JsonLines.forEach(file, 0, until, (offset, line) -> {
            Alert a = line.contains(quoted) ? parse(line) : null;
            found[0] = a != null && id.equals(a.id());
            return !found[0];
        });
        if (found[0]) {
            synchronized (this) {
                confirmed.put(id, true);
            }
        }
        return found[0];
    }

    /** Appends the alerts and forces them to disk; answers the offset of each one's line. */
    long[] append(List<Alert> alerts) {
        List<String> lines = alerts.stream().map(Alert::json).toList();
        long[] offsets = new long[lines.size()];
        long at = log.append(lines);
        for (int i = 0; i < offsets.length; i++) {
            offsets[i] = at;
            at += lines.get(i).getBytes(StandardCharsets.UTF_8).length + 1;
        }
        return offsets;
    }

    /** Makes appended alerts visible to readers; {@code offsets} as {@link #append} answered. */
    synchronized void published(List<Alert> alerts, long[] offsets) {
        for (int i = 0; i < offsets.length; i++) {
            add(alerts.get(i), offsets[i]);
        }
        end = log.size();
    }

    /**
     * The alerts fired in {@code [fromMs, toMs)} (by {@code fired_at}), of one rule or of all when {@code rule} is
     * null, oldest first; at most {@code limit}, the newest ones when there are more.
     */
    List<Alert> history(long fromMs, long toMs, String rule, int limit) {
        long[] starts;
        long[] mins;
        long[] maxs;
        long until;
        synchronized (this) {
            starts = Arrays.copyOf(blockStart, blocks);
            mins = Arrays.copyOf(blockMin, blocks);
            maxs = Arrays.copyOf(blockMax, blocks);
            until = end;
        }
        List<Alert> out = new ArrayList<>();
        for (int b = starts.length - 1; b >= 0 && out.size() < limit; b--) {
            if (maxs[b] < fromMs || mins[b] >= toMs) {
                continue;
            }
            List<Alert> block = read(starts[b], b + 1 < starts.length ? starts[b + 1] : until);
            for (int i = block.size() - 1; i >= 0 && out.size() < limit; i--) {
                Alert a = block.get(i);
                if (a.firedAt() >= fromMs && a.firedAt() < toMs && (rule == null || rule.equals(a.rule()))) {
                    out.add(a);
                }
            }
        }
        Collections.reverse(out);
        return out;
    }

    /**
     * The alerts published after the one with id {@code lastId}, oldest first, when it is among the newest ones
     * held in memory; otherwise (older, unknown or null) none.
     */
    synchronized List<Alert> after(String lastId) {
        Long at = lastId == null ? null : recent.get(lastId);
        if (at == null) {
            return List.of();
        }
        List<Alert> after = read(at, end);
        return after.isEmpty() ? after : after.subList(1, after.size());
    }

    /** How many alert ids are held in memory. */
    synchronized int heldIds() {
        return recent.size() + confirmed.size();
    }

    private List<Alert> read(long from, long to) {
        List<Alert> out = new ArrayList<>();
        JsonLines.forEach(file, from, to, (offset, line) -> {
            Alert a = parse(line);
            if (a != null) {
                out.add(a);
            }
            return true;
        });
        return out;
    }

    /** The alert on the line, or null when it is not one (logged once, at start). */
    private static Alert parse(String line) {
        try {
            return Alert.parse(line);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    @Override
    public void close() {
        log.close();
    }
}
