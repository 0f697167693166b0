package io.tandem.engine.analysis;

import io.tandem.engine.durable.JsonLines;
import io.tandem.engine.feed.Feed;
import io.tandem.engine.feed.Feeds;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The published analysis results: {@code results.jsonl}, one {@link AnalysisResult} per line, each batch appended
 * and fsynced before it is published to subscribers, so what a client saw survives {@code kill -9}. The newest
 * {@value #WINDOW} lines are kept in memory; older ones are read from the file when asked for.
 */
final class AnalysisResults implements AutoCloseable {

    static final int WINDOW = 20_000;

    private static final Logger LOG = LoggerFactory.getLogger(AnalysisResults.class);

    private final Path file;
    private final JsonLines log;
    private final int window;
    /** Guards the fields below; publishers, readers and subscribers come and go. */
    private final Object lock = new Object();
    private final ArrayDeque<AnalysisResult> recent = new ArrayDeque<>();
    private final Map<String, Long> eventSeq = new HashMap<>();
    private final LinkedHashMap<String, AnalysisEntry> entries = new LinkedHashMap<>();
    private final Feeds<AnalysisResult> feeds = new Feeds<>();
    private long firstSeq;
    private long nextSeq;

    AnalysisResults(Path file, int window) {
        this.file = file;
        this.window = window;
        List<String> lines = new ArrayList<>();
        this.log = JsonLines.open(file, lines);
        List<AnalysisResult> all = JsonLines.parse(file, lines, AnalysisResult::parse);
        firstSeq = Math.max(0, all.size() - window);
        nextSeq = firstSeq;
        for (AnalysisResult r : all.subList((int) firstSeq, all.size())) {
            remember(r);
        }
    }

    /** Appends the results (one fsync), then publishes them to subscribers. */
    void publish(List<AnalysisResult> results) {
        if (results.isEmpty()) {
            return;
        }
        synchronized (lock) {
            log.append(results.stream().map(AnalysisResult::json).toList());
            for (AnalysisResult r : results) {
                remember(r);
                feeds.publish(r);
            }
            trim();
        }
    }

    private void remember(AnalysisResult r) {
        recent.addLast(r);
        eventSeq.put(r.eventId(), nextSeq++);
        if (AnalysisResult.QUICK.equals(r.pass())) {
            entries.putIfAbsent(r.id(), new AnalysisEntry(r, null));
        } else {
            entries.computeIfPresent(r.id(), (id, e) -> e.withDeep(r));
        }
    }

    private void trim() {
        if (recent.size() <= window) {
            return;
        }
        int drop = Math.max(1, window / 10);
        for (int i = 0; i < drop; i++) {
            AnalysisResult r = recent.removeFirst();
            eventSeq.remove(r.eventId());
            if (AnalysisResult.QUICK.equals(r.pass())) {
                entries.remove(r.id());
            }
            firstSeq++;
        }
    }

    /** Whether a result of this pass is in the memory window (where a replay's repeats can only be). */
    boolean published(String id, String pass) {
        synchronized (lock) {
            return eventSeq.containsKey(id + "-" + pass);
        }
    }

    /** Both passes of a result, from memory or, when older, from the file. */
    Optional<AnalysisEntry> get(String id) {
        synchronized (lock) {
            AnalysisEntry e = entries.get(id);
            if (e != null || firstSeq == 0) {
                return Optional.ofNullable(e);
            }
        }
        return Optional.ofNullable(fromFile(r -> r.id().equals(id)).get(id));
    }

    /** The newest {@code limit} entries that match, oldest first; the file is read when memory has too few. */
    List<AnalysisEntry> list(Predicate<AnalysisEntry> filter, int limit) {
        List<AnalysisEntry> out = new ArrayList<>();
        boolean older;
        synchronized (lock) {
            newest(entries.values(), filter, limit, out);
            older = firstSeq > 0 && out.size() < limit;
        }
        if (older) {
            out.clear();
            newest(fromFile(r -> true).values(), filter, limit, out);
        }
        Collections.reverse(out);
        return out;
    }

    private static void newest(Collection<AnalysisEntry> all, Predicate<AnalysisEntry> filter, int limit,
                               List<AnalysisEntry> out) {
        List<AnalysisEntry> list = new ArrayList<>(all);
        for (int i = list.size() - 1; i >= 0 && out.size() < limit; i--) {
            if (filter.test(list.get(i))) {
                out.add(list.get(i));
            }
        }
    }

    /** The entries in the memory window whose quick pass graded them anomalous and that have no deep pass yet. */
    List<AnalysisResult> awaitingDeep() {
        synchronized (lock) {
            return entries.values().stream().filter(e -> e.deep() == null && e.quick().anomalous())
                    .map(AnalysisEntry::quick).toList();
        }
    }

    private Map<String, AnalysisEntry> fromFile(Predicate<AnalysisResult> wanted) {
        Map<String, AnalysisEntry> found = new LinkedHashMap<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                try {
                    AnalysisResult r = AnalysisResult.parse(line);
                    if (wanted.test(r)) {
                        if (AnalysisResult.QUICK.equals(r.pass())) {
                            found.putIfAbsent(r.id(), new AnalysisEntry(r, null));
                        } else {
                            found.computeIfPresent(r.id(), (id, e) -> e.withDeep(r));
                        }
                    }
                } catch (IllegalArgumentException e) {
                    LOG.debug("{}: skipped a line: {}", file, e.getMessage());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        return found;
    }

    /**
     * A live feed of the results published from now on, preceded by those published after the event
     * {@code lastEventId} when it is in the memory window; an unknown or null id replays nothing.
     */
    Feed<AnalysisResult> subscribe(String lastEventId, int capacity) {
        synchronized (lock) {
            Long at = lastEventId == null ? null : eventSeq.get(lastEventId);
            List<AnalysisResult> replay = new ArrayList<>();
            if (at != null) {
                long seq = firstSeq;
                for (Iterator<AnalysisResult> it = recent.iterator(); it.hasNext(); seq++) {
                    AnalysisResult r = it.next();
                    if (seq > at) {
                        replay.add(r);
                    }
                }
            }
            return feeds.subscribe(replay, capacity);
        }
    }

    @Override
    public void close() {
        feeds.close();
        log.close();
    }
}
