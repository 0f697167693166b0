package io.tandem.engine.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tandem.core.StreamDef;
import io.tandem.core.codec.JsonEvents;
import io.tandem.core.time.Timestamps;
import io.tandem.engine.EngineMetrics;
import io.tandem.engine.durable.StorageFullException;
import io.tandem.engine.hot.HotPath;
import io.tandem.spi.log.EventLog;
import io.tandem.spi.store.IdempotencyRecord;
import io.tandem.spi.store.RealtimeStore;

import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * Takes an ingest request: validates every record against the stream's schema, appends the valid ones to one
 * partition of the log as one unit, and answers once they are durable.
 *
 * <p>With an idempotency key, the unit starts with a marker record that holds the key and the response, so the
 * key is durable exactly when the events are; the hot path moves it into the real-time store. A retry finds the
 * key there (or among the requests still in flight) and gets the first response without appending again. The
 * marker also holds a digest of the stream and the body ({@link IdempotencyRecord#digest}): a request that reuses
 * the key with another stream or body is refused ({@link IngestException.Kind#KEY_REUSED}) rather than given
 * another request's response.
 *
 * <p>A key taken before this process started (by its earlier run, killed after the append and before its answer,
 * say) is in the store only once the hot path (a worker's, in a split deployment) has applied the log as far as it
 * was then. So until the store holds every record that was durable in the stream's log at start, a request whose
 * key it does not hold waits for that, for at most {@link #EARLIER_KEYS_AWAITED}, and is then refused as
 * {@link IngestException.Kind#OVERLOADED} rather than appended a second time.
 */
public final class IngestService {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_ERRORS_LISTED = 100;
    private static final int MAX_KEPT_RESPONSE_BYTES = 60_000;
    private static final Duration EARLIER_KEYS_AWAITED = Duration.ofSeconds(5);
    private static final long AWAIT_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    private final Map<String, StreamDef> streams;
    private final Map<String, EventLog> logs;
    private final Map<String, JsonEvents> parsers = new ConcurrentHashMap<>();
    private final RealtimeStore store;
    private final HotPath hotPath;
    private final long maxLag;
    private final LongSupplier clock;
    private final EngineMetrics metrics;
    private final AtomicInteger nextPartition = new AtomicInteger();
    private final Map<String, InFlight> inFlight = new ConcurrentHashMap<>();
    private final Sequencer sequencer;
    /** Per stream, each partition's durable end when this process started. */
    private final Map<String, long[]> endsAtStart = new HashMap<>();
    /** The streams whose records durable at start the store holds, keys included. */
    private final Set<String> earlierKeysStored = ConcurrentHashMap.newKeySet();

    /** A request with an idempotency key whose marker the real-time store may not hold yet. */
    private record InFlight(String digest, long arrivalMs, CompletableFuture<IngestResponse> response) {
    }

    public IngestService(Map<String, StreamDef> streams, Map<String, EventLog> logs, RealtimeStore store,
                         HotPath hotPath, long maxLag, LongSupplier clock, EngineMetrics metrics) {
        this.streams = streams;
        this.logs = logs;
        this.store = store;
        this.hotPath = hotPath;
        this.maxLag = maxLag;
        this.clock = clock;
        this.metrics = metrics;
        this.sequencer = new Sequencer();
        logs.forEach((stream, log) -> {
            long[] ends = new long[log.partitions()];
            for (int p = 0; p < ends.length; p++) {
                ends[p] = log.durableEnd(p);
            }
            endsAtStart.put(stream, ends);
        });
    }

    /**
     * @param idempotencyKey null for none
     * @param sequence       null, or the request's place in an ordered session: the session's requests are taken
     *                       one at a time, in order, into one partition (see {@link Sequence})
     * @throws IngestException for an unknown stream, a body without events, a key used before by another
     *                         request, when the hot path is too far behind, or when an earlier request of the
     *                         session does not come
     */
    public IngestResponse ingest(String stream, byte[] body, String idempotencyKey, Sequence sequence) {
        StreamDef def = streams.get(stream);
        if (def == null) {
            throw new IngestException(IngestException.Kind.NOT_FOUND,
                    "unknown stream '" + stream + "' (streams: " + String.join(", ", streams.keySet()) + ")");
        }
        return sequence == null ? take(def, body, idempotencyKey, null)
                : sequencer.inTurn(def.name(), sequence, () -> take(def, body, idempotencyKey, sequence));
    }

    private IngestResponse take(StreamDef def, byte[] body, String idempotencyKey, Sequence sequence) {
        String stream = def.name();
        if (idempotencyKey == null) {
            return append(def, body, null, null, sequence);
        }
        String digest = IdempotencyRecord.digest(stream, body);
        var first = store.idempotency(idempotencyKey);
        if (first.isEmpty() && awaitEarlierKeys(stream)) {
            first = store.idempotency(idempotencyKey);
        }
        if (first.isPresent()) {
            if (first.get().conflictsWith(digest)) {
                throw reused(idempotencyKey, first.get().arrivalMs());
            }
            return replay(first.get().responseJson());
        }
        CompletableFuture<IngestResponse> mine = new CompletableFuture<>();
        InFlight earlier = inFlight.putIfAbsent(idempotencyKey, new InFlight(digest, clock.getAsLong(), mine));
        if (earlier != null) {
            if (!earlier.digest().equals(digest)) {
                throw reused(idempotencyKey, earlier.arrivalMs());
            }
            return join(earlier.response());
        }
        try {
            IngestResponse r = append(def, body, idempotencyKey, digest, sequence);
            mine.complete(r);
            if (r.accepted() == 0) {
                inFlight.remove(idempotencyKey);
            }
            return r;
        } catch (RuntimeException e) {
            inFlight.remove(idempotencyKey);
            mine.completeExceptionally(e);
            throw e;
        }
    }

    /**
     * Waits until the store holds every record of the stream that was durable when this process started (see the
     * class comment); true when it had to wait, and the key is to be looked up again.
     *
     * @throws IngestException ({@link IngestException.Kind#OVERLOADED}) when it does not within
     *                         {@link #EARLIER_KEYS_AWAITED}
     */
    private boolean awaitEarlierKeys(String stream) {
        if (earlierKeysStored.contains(stream)) {
            return false;
        }
        long[] ends = endsAtStart.get(stream);
        long deadline = System.nanoTime() + EARLIER_KEYS_AWAITED.toNanos();
        for (int p = 0; p < ends.length; p++) {
            while (store.committedOffset(stream, p) < ends[p]) {
                if (System.nanoTime() > deadline) {
                    throw new IngestException(IngestException.Kind.OVERLOADED, "the real-time store does not yet hold "
                            + "what stream '" + stream + "' took before this process started (partition " + p
                            + " is applied up to offset " + store.committedOffset(stream, p) + " of " + ends[p]
                            + "), so an Idempotency-Key used then would not be found; retry later");
                }
                LockSupport.parkNanos(AWAIT_PARK_NANOS);
            }
        }
        earlierKeysStored.add(stream);
        return true;
    }

    /** Forgets in-flight keys that the real-time store now holds. */
    public void pruneInFlight() {
        inFlight.entrySet().removeIf(e -> e.getValue().response().isDone()
                && store.idempotency(e.getKey()).isPresent());
    }

    private static IngestException reused(String key, long firstArrivalMs) {
        return new IngestException(IngestException.Kind.KEY_REUSED, "Idempotency-Key '" + key + "' was already "
                + "used at " + Timestamps.format(firstArrivalMs) + " by a request with another stream or body; "
                + "a retry must repeat the request exactly, and a new request needs a new key");
    }

    private IngestResponse append(StreamDef def, byte[] body, String idempotencyKey, String digest,
                                  Sequence sequence) {
        Map<Integer, String> failed = hotPath.failures(def.name());
        if (!failed.isEmpty()) {
            var first = failed.entrySet().iterator().next();
            throw new IngestException(IngestException.Kind.OVERLOADED, "the hot path of stream '" + def.name()
                    + "' stopped on partition " + first.getKey() + " (" + first.getValue() + "); ingest into it is "
                    + "refused until the process restarts");
        }
        if (hotPath.maxPartitionLag(def.name()) > maxLag) {
            throw new IngestException(IngestException.Kind.OVERLOADED, "the hot path of stream '" + def.name()
                    + "' is more than " + maxLag + " events behind; retry later");
        }
        long arrivalMs = clock.getAsLong();
        JsonEvents.Result parsed = parsers.computeIfAbsent(def.name(), s -> new JsonEvents(def)).parse(body, arrivalMs);
        if (parsed.accepted().isEmpty() && parsed.errors().isEmpty()) {
            throw new IngestException(IngestException.Kind.NO_EVENTS, "the body holds no events ("
                    + (parsed.format() == JsonEvents.Format.ARRAY ? "an empty JSON array" : "only blank lines")
                    + "): send one JSON object per line, or a JSON array of objects");
        }
        List<IngestResponse.RecordError> errors = parsed.errors().stream()
                .map(e -> new IngestResponse.RecordError(parsed.format().positionKey(), e.line(), e.error())).toList();
        IngestResponse response = respond(parsed.accepted().size(), errors);
        metrics.rejected(def.name()).increment(errors.size());
        if (parsed.accepted().isEmpty()) {
            return response;
        }
        List<byte[]> payloads = new ArrayList<>(parsed.accepted().size() + 1);
        byte[] kinds = null;
        if (idempotencyKey != null) {
            payloads.add(new IdempotencyRecord(idempotencyKey, arrivalMs, replayable(response), digest).toBytes());
            kinds = new byte[parsed.accepted().size() + 1];
            kinds[0] = EventLog.MARKER;
        }
        payloads.addAll(parsed.accepted());
        EventLog log = logs.get(def.name());
        int partition = Math.floorMod(sequence == null ? nextPartition.getAndIncrement()
                : sequence.session().hashCode(), log.partitions());
        join(log.append(partition, kinds, payloads));
        metrics.accepted(def.name()).increment(parsed.accepted().size());
        return response;
    }

    private static IngestResponse respond(long accepted, List<IngestResponse.RecordError> errors) {
        return new IngestResponse(accepted, errors.size(), errors, json(accepted, errors.size(),
                errors.subList(0, Math.min(errors.size(), MAX_ERRORS_LISTED))));
    }

    private static String json(long accepted, long rejected, List<IngestResponse.RecordError> listed) {
        ObjectNode root = JSON.createObjectNode();
        root.put("accepted", accepted);
        root.put("rejected", rejected);
        ArrayNode list = root.putArray("errors");
        for (IngestResponse.RecordError e : listed) {
            list.addObject().put(e.position(), e.at()).put("error", e.error());
        }
        if (rejected > listed.size()) {
            root.put("errors_omitted", rejected - listed.size());
        }
        try {
            return JSON.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The response as a retry gets it: whole, or only its counts when it is too long to keep (over 60,000 bytes). */
    private static String replayable(IngestResponse response) {
        if (response.json().length() * 3 <= MAX_KEPT_RESPONSE_BYTES) {
            return response.json();
        }
        return json(response.accepted(), response.rejected(), List.of());
    }

    private static IngestResponse replay(String json) {
        try {
            var node = JSON.readTree(json);
            List<IngestResponse.RecordError> errors = new ArrayList<>();
            node.path("errors").forEach(e -> {
                String position = e.has("line") ? "line" : "index";
                errors.add(new IngestResponse.RecordError(position, e.path(position).asInt(),
                        e.path("error").asText()));
            });
            return new IngestResponse(node.path("accepted").asLong(), node.path("rejected").asLong(), errors, json);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static <T> T join(CompletableFuture<T> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a durable append", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof StorageFullException full) {
                throw new IngestException(IngestException.Kind.INSUFFICIENT_STORAGE, full.getMessage());
            }
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException("append failed: " + e.getCause(), e.getCause());
        }
    }
}
