package io.tandem.engine.hot;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tandem.core.time.Timestamps;
import io.tandem.engine.durable.JsonLines;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The records of each stream's log that the hot path could not read or place, kept with the reason when the
 * stream's {@code on_bad_event} is {@code dead_letter}: {@code <data-dir>/dead-letters/<stream>.jsonl}, one JSON
 * object per record ({@code partition}, {@code offset}, {@code arrival}, {@code reason}, {@code record}: the log
 * record's bytes in base64), fsynced. A record is kept once: a replay of its partition (after a restart or a
 * failed commit) does not add it again. The newest {@link #KEPT} of each stream are also held for
 * {@code GET /v1/streams/{stream}/dead-letters}.
 */
public final class DeadLetters implements AutoCloseable {

    /** Dead letters held per stream for reading; the file keeps them all. */
    public static final int KEPT = 1_000;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One dead letter. */
    public record Letter(int partition, long offset, long arrivalMs, String reason, byte[] record) {
    }

    private final Map<String, Stream> streams = new LinkedHashMap<>();

    /** One stream's file, its newest letters, its count and the offset through which each partition is kept. */
    private static final class Stream {
        final JsonLines file;
        final ArrayDeque<Letter> newest = new ArrayDeque<>();
        final Map<Integer, Long> keptThrough = new HashMap<>();
        long count;

        Stream(JsonLines file) {
            this.file = file;
        }

        void hold(Letter l) {
            newest.addLast(l);
            if (newest.size() > KEPT) {
                newest.removeFirst();
            }
            keptThrough.merge(l.partition(), l.offset(), Math::max);
            count++;
        }
    }

    private DeadLetters() {
    }

    /** Opens the dead letters of the streams in {@code dir}, reading what earlier runs kept. */
    public static DeadLetters open(Path dir, Collection<String> streamNames) {
        DeadLetters d = new DeadLetters();
        for (String name : streamNames) {
            List<String> lines = new ArrayList<>();
            Stream s = new Stream(JsonLines.open(dir.resolve(name + ".jsonl"), lines));
            for (Letter l : JsonLines.parse(dir.resolve(name + ".jsonl"), lines, DeadLetters::parse)) {
                s.hold(l);
            }
            d.streams.put(name, s);
        }
        return d;
    }

    private static Letter parse(String line) {
        try {
            JsonNode n = JSON.readTree(line);
            return new Letter(n.get("partition").asInt(), n.get("offset").asLong(),
                    Timestamps.parse(n.get("arrival").asText()), n.get("reason").asText(),
                    Base64.getDecoder().decode(n.get("record").asText()));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Keeps a record the hot path could not take, unless it is kept already (a replay). */
    void add(String stream, int partition, long offset, long arrivalMs, String reason, byte[] buf, int off, int len) {
        Stream s = streams.get(stream);
        synchronized (s) {
            if (s.keptThrough.getOrDefault(partition, -1L) >= offset) {
                return;
            }
            byte[] record = java.util.Arrays.copyOfRange(buf, off, off + len);
            ObjectNode n = JSON.createObjectNode();
            n.put("partition", partition);
            n.put("offset", offset);
            n.put("arrival", Timestamps.format(arrivalMs));
            n.put("reason", reason);
            n.put("record", Base64.getEncoder().encodeToString(record));
            s.file.append(List.of(n.toString()));
            s.hold(new Letter(partition, offset, arrivalMs, reason, record));
        }
    }

    /**
     * The newest dead letters of a stream, newest first, at most {@code limit}, and how many it has in all.
     *
     * @throws IllegalArgumentException for a stream it does not know
     */
    public Page newest(String stream, int limit) {
        Stream s = streams.get(stream);
        if (s == null) {
            throw new IllegalArgumentException("unknown stream '" + stream + "'");
        }
        synchronized (s) {
            List<Letter> out = new ArrayList<>();
            var it = s.newest.descendingIterator();
            while (it.hasNext() && out.size() < limit) {
                out.add(it.next());
            }
            return new Page(s.count, out);
        }
    }

    /** What {@link #newest} answers. */
    public record Page(long count, List<Letter> letters) {
    }

    @Override
    public void close() {
        streams.values().forEach(s -> s.file.close());
    }
}
