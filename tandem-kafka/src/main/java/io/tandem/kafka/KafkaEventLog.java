package io.tandem.kafka;

import io.tandem.core.StreamDef;
import io.tandem.core.codec.JsonEvents;
import io.tandem.spi.log.EventLog;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

import static java.nio.charset.StandardCharsets.UTF_8;

/**
 * A stream's log as one Kafka topic: its partitions are the log's, its offsets the log's offsets, and the broker's
 * append time ({@code message.timestamp.type=LogAppendTime}) is each record's arrival, so every process that reads
 * the topic puts a record in the same epoch.
 *
 * <p><b>Appends.</b> One sender thread takes the units waiting and writes them in one Kafka transaction (a group
 * commit), so a unit (an ingest request's events and its idempotency marker) is in the topic whole or not at all,
 * with {@code acks=all} and an idempotent producer. A unit is acknowledged once the transaction is committed and
 * the topic's last stable offset covers it. Each transaction leaves one marker record per partition, so offsets
 * have gaps; readers use {@code isolation.level=read_committed} and never see the markers.
 *
 * <p><b>Record format.</b> Tandem's own records carry a header {@code tandem.kind} ({@code event} or
 * {@code marker}) and the binary row or idempotency record as value. A record without that header comes from an
 * external producer: its value is one JSON object with the stream's fields (the key, if any, is the partition key
 * the producer chose). A record that is not a valid event is left out of every reader's view and copied to the
 * dead-letter topic {@code <topic>.dead-letter}, keyed by {@code <partition>:<offset>}, with the reason in the
 * header {@code tandem.reason}.
 *
 * <p><b>Arrivals.</b> A reader never lets a partition's arrivals go back: each is the greater of the broker's
 * timestamp and the one before it in the same read. Readers starting at different offsets agree unless the
 * broker's clock stepped back between their starting points.
 *
 * <p><b>Retention</b> is the topic's own ({@code retention.ms}); {@link #deleteBefore} deletes nothing, since a
 * worker in another process may still replay from older offsets.
 */
public final class KafkaEventLog implements EventLog {

    static final String KIND_HEADER = "tandem.kind";
    static final String REASON_HEADER = "tandem.reason";
    static final byte[] EVENT_KIND = "event".getBytes(UTF_8);
    static final byte[] MARKER_KIND = "marker".getBytes(UTF_8);

    private static final Logger LOG = LoggerFactory.getLogger(KafkaEventLog.class);
    private static final int MAX_UNITS_PER_TRANSACTION = 512;
    private static final long TAIL_REFRESH_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
    private static final int STARTS_EVERY = 200;
    /** Short: a poll that finds only a transaction marker returns no record, and waits this long for one. */
    private static final Duration POLL = Duration.ofMillis(2);
    private static final long READ_DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final int MAX_IDLE_CURSORS = 4;

    private final String topic;
    private final String deadLetterTopic;
    private final int partitions;
    private final long epochMs;
    private final Admin admin;
    private final Supplier<KafkaProducer<byte[], byte[]>> producers;
    private final Supplier<KafkaConsumer<byte[], byte[]>> consumers;
    private final KafkaProducer<byte[], byte[]> deadLetters;
    private final JsonEvents external;
    private final AtomicLongArray ends;
    private final AtomicLongArray starts;
    private final AtomicLongArray deadLettered;
    private final List<ArrayDeque<Cursor>> idle = new ArrayList<>();
    private final BlockingQueue<Unit> queue = new LinkedBlockingQueue<>();
    private final Thread sender;
    private final Thread tail;
    private KafkaProducer<byte[], byte[]> producer;
    private volatile boolean closing;

    /**
     * @param producers opens the transactional producer (again, after a failed transaction)
     * @param consumers opens a {@code read_committed} consumer without a group
     */
    KafkaEventLog(StreamDef stream, String topic, int partitions, long epochMs, Admin admin,
                  Supplier<KafkaProducer<byte[], byte[]>> producers,
                  Supplier<KafkaConsumer<byte[], byte[]>> consumers, KafkaProducer<byte[], byte[]> deadLetters) {
        this.topic = topic;
        this.deadLetterTopic = deadLetterTopic(topic);
        this.partitions = partitions;
        this.epochMs = epochMs;
        this.admin = admin;
        this.producers = producers;
        this.consumers = consumers;
        this.deadLetters = deadLetters;
        this.external = new JsonEvents(stream);
        this.ends = new AtomicLongArray(partitions);
        this.starts = new AtomicLongArray(partitions);
        this.deadLettered = new AtomicLongArray(partitions);
        for (int p = 0; p < partitions; p++) {
            idle.add(new ArrayDeque<>());
            deadLettered.set(p, -1);
        }
        this.producer = producers.get();
        refresh(OffsetSpec.latest(), ends);
        refresh(OffsetSpec.earliest(), starts);
        this.sender = new Thread(this::sendLoop, "kafka-log-sender-" + topic);
        this.tail = new Thread(this::tailLoop, "kafka-log-tail-" + topic);
        sender.setDaemon(true);
        tail.setDaemon(true);
        sender.start();
        tail.start();
    }

    static String deadLetterTopic(String topic) {
        return topic + ".dead-letter";
    }

    /** The topic of the stream. */
    public String topic() {
        return topic;
    }

    @Override
    public int partitions() {
        return partitions;
    }

    @Override
    public CompletableFuture<Long> append(int partition, byte[] kinds, List<byte[]> payloads) {
        checkPartition(partition);
        if (payloads.isEmpty()) {
            throw new IllegalArgumentException("an append needs at least one record");
        }
        if (kinds != null && kinds.length != payloads.size()) {
            throw new IllegalArgumentException(kinds.length + " kinds for " + payloads.size() + " records");
        }
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>(payloads.size());
        for (int i = 0; i < payloads.size(); i++) {
            byte[] payload = payloads.get(i);
            if (payload == null) {
                throw new IllegalArgumentException("record " + i + " is null");
            }
            byte kind = kinds == null ? EVENT : kinds[i];
            if (kind != EVENT && kind != MARKER) {
                throw new IllegalArgumentException("record " + i + " has kind " + kind + " (expected "
                        + EVENT + " or " + MARKER + ")");
            }
            Header header = new RecordHeader(KIND_HEADER, kind == EVENT ? EVENT_KIND : MARKER_KIND);
            records.add(new ProducerRecord<>(topic, partition, null, null, payload.clone(), List.of(header)));
        }
        Unit unit = new Unit(partition, records, new CompletableFuture<>());
        if (closing) {
            unit.done.completeExceptionally(closed());
            return unit.done;
        }
        queue.add(unit);
        if (closing && queue.remove(unit)) {
            unit.done.completeExceptionally(closed());
        }
        return unit.done;
    }

    private IllegalStateException closed() {
        return new IllegalStateException("the log of topic '" + topic + "' is closed");
    }

    /** Writes the waiting units, a transaction at a time, until the log closes and none is left. */
    private void sendLoop() {
        List<Unit> group = new ArrayList<>();
        while (true) {
            Unit first;
            try {
                first = queue.poll(50, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (first == null) {
                if (closing && queue.isEmpty()) {
                    return;
                }
                continue;
            }
            group.clear();
            group.add(first);
            queue.drainTo(group, MAX_UNITS_PER_TRANSACTION - 1);
            send(group);
        }
    }

    private void send(List<Unit> group) {
        try {
            producer.beginTransaction();
            List<List<Future<RecordMetadata>>> sent = new ArrayList<>(group.size());
            for (Unit u : group) {
                List<Future<RecordMetadata>> mine = new ArrayList<>(u.records.size());
                for (ProducerRecord<byte[], byte[]> r : u.records) {
                    mine.add(producer.send(r));
                }
                sent.add(mine);
            }
            producer.commitTransaction();
            long[] firsts = new long[group.size()];
            Map<Integer, Long> needed = new HashMap<>();
            for (int i = 0; i < group.size(); i++) {
                List<Future<RecordMetadata>> mine = sent.get(i);
                firsts[i] = mine.get(0).get().offset();
                long last = mine.get(mine.size() - 1).get().offset();
                needed.merge(group.get(i).partition, last + 1, Math::max);
            }
            awaitEnds(needed);
            for (int i = 0; i < group.size(); i++) {
                group.get(i).done.complete(firsts[i]);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail(group, e);
        } catch (ExecutionException | KafkaException | TimeoutException e) {
            LOG.warn("topic '{}': a transaction of {} appends failed, they are not acknowledged: {}", topic,
                    group.size(), e.toString());
            fail(group, e);
            restartProducer();
        }
    }

    private static void fail(List<Unit> group, Exception e) {
        for (Unit u : group) {
            u.done.completeExceptionally(e);
        }
    }

    /** Aborts what the failed transaction wrote by fencing it with a new producer of the same transactional id. */
    private void restartProducer() {
        try {
            producer.close(Duration.ZERO);
        } catch (KafkaException e) {
            LOG.debug("topic '{}': closing the failed producer: {}", topic, e.toString());
        }
        while (true) {
            try {
                producer = producers.get();
                return;
            } catch (KafkaException e) {
                if (closing) {
                    throw e;
                }
                LOG.warn("topic '{}': cannot start the producer again, retrying: {}", topic, e.toString());
                LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(1));
            }
        }
    }

    /** Waits until the last stable offset of each partition reaches the offset asked for. */
    private void awaitEnds(Map<Integer, Long> needed) throws TimeoutException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            boolean covered = true;
            for (Map.Entry<Integer, Long> e : needed.entrySet()) {
                covered &= ends.get(e.getKey()) >= e.getValue();
            }
            if (covered) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("the last stable offset of topic '" + topic + "' did not reach the "
                        + "committed records within 30 s");
            }
            refresh(OffsetSpec.latest(), ends);
        }
    }

    /** Follows the topic's last stable offsets (what readers can see) and, now and then, its first offsets. */
    private void tailLoop() {
        int round = 0;
        while (!closing) {
            LockSupport.parkNanos(TAIL_REFRESH_NANOS);
            refresh(OffsetSpec.latest(), ends);
            if (++round % STARTS_EVERY == 0) {
                refresh(OffsetSpec.earliest(), starts);
            }
        }
    }

    /** Raises {@code into} to the offsets the broker lists; leaves them when it cannot be reached. */
    private void refresh(OffsetSpec spec, AtomicLongArray into) {
        Map<TopicPartition, OffsetSpec> asked = new HashMap<>();
        for (int p = 0; p < partitions; p++) {
            asked.put(new TopicPartition(topic, p), spec);
        }
        try {
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> listed = admin.listOffsets(asked,
                    new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get(10, TimeUnit.SECONDS);
            listed.forEach((tp, info) -> raise(into, tp.partition(), info.offset()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | KafkaException e) {
            if (!closing) {
                LOG.debug("topic '{}': cannot list offsets: {}", topic, e.toString());
            }
        }
    }

    private static void raise(AtomicLongArray values, int i, long value) {
        values.accumulateAndGet(i, value, Math::max);
    }

    @Override
    public long durableEnd(int partition) {
        checkPartition(partition);
        return ends.get(partition);
    }

    @Override
    public long startOffset(int partition) {
        checkPartition(partition);
        return Math.min(starts.get(partition), ends.get(partition));
    }

    @Override
    public long read(int partition, long fromOffset, int maxRecords, RecordConsumer consumer) {
        checkPartition(partition);
        long end = ends.get(partition);
        long start = startOffset(partition);
        if (fromOffset < start || fromOffset > end) {
            throw new IllegalArgumentException("offset " + fromOffset + " is outside [" + start + ", " + end
                    + "] of topic '" + topic + "' partition " + partition);
        }
        if (maxRecords < 0) {
            throw new IllegalArgumentException("maxRecords must not be negative, got " + maxRecords);
        }
        if (maxRecords == 0 || fromOffset == end) {
            return fromOffset;
        }
        Cursor cursor = take(partition, fromOffset);
        try {
            return cursor.read(end, maxRecords, consumer);
        } finally {
            give(partition, cursor);
        }
    }

    private Cursor take(int partition, long fromOffset) {
        ArrayDeque<Cursor> cursors = idle.get(partition);
        Cursor found = null;
        synchronized (cursors) {
            for (Cursor c : cursors) {
                if (c.next == fromOffset) {
                    found = c;
                    break;
                }
            }
            if (found == null) {
                found = cursors.pollFirst();
            } else {
                cursors.remove(found);
            }
        }
        if (found == null) {
            found = new Cursor(partition);
        }
        found.seek(fromOffset);
        return found;
    }

    private void give(int partition, Cursor cursor) {
        ArrayDeque<Cursor> cursors = idle.get(partition);
        synchronized (cursors) {
            if (!closing && cursors.size() < MAX_IDLE_CURSORS) {
                cursors.addFirst(cursor);
                return;
            }
        }
        cursor.consumer.close(Duration.ZERO);
    }

    /** Kafka keeps records by its own retention; see the class comment. */
    @Override
    public void deleteBefore(int partition, long offset) {
        checkPartition(partition);
        long end = ends.get(partition);
        if (offset > end) {
            throw new IllegalArgumentException("offset " + offset + " is after the durable end " + end
                    + " of topic '" + topic + "' partition " + partition);
        }
    }

    @Override
    public void close() {
        if (closing) {
            return;
        }
        closing = true;
        joinQuietly(sender);
        joinQuietly(tail);
        for (Unit u; (u = queue.poll()) != null; ) {
            u.done.completeExceptionally(closed());
        }
        producer.close();
        deadLetters.close();
        for (ArrayDeque<Cursor> cursors : idle) {
            synchronized (cursors) {
                cursors.forEach(c -> c.consumer.close(Duration.ZERO));
                cursors.clear();
            }
        }
        admin.close();
    }

    private static void joinQuietly(Thread t) {
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void checkPartition(int partition) {
        if (partition < 0 || partition >= partitions) {
            throw new IllegalArgumentException("partition " + partition + " is outside [0, " + partitions
                    + ") of topic '" + topic + "'");
        }
    }

    /** One append: its records, for one partition. */
    private record Unit(int partition, List<ProducerRecord<byte[], byte[]>> records, CompletableFuture<Long> done) {
    }

    /** A consumer of one partition, with the records it fetched beyond what the last read passed on. */
    private final class Cursor {

        private final int partition;
        private final TopicPartition tp;
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final ArrayDeque<ConsumerRecord<byte[], byte[]>> fetched = new ArrayDeque<>();
        private long next = -1;
        private long lastArrival = Long.MIN_VALUE;

        Cursor(int partition) {
            this.partition = partition;
            this.tp = new TopicPartition(topic, partition);
            this.consumer = consumers.get();
            consumer.assign(List.of(tp));
        }

        void seek(long offset) {
            if (offset != next) {
                fetched.clear();
                consumer.seek(tp, offset);
                next = offset;
                lastArrival = Long.MIN_VALUE;
            }
        }

        /** Passes on up to {@code max} records before {@code end}; returns the offset to read from next. */
        long read(long end, int max, RecordConsumer out) {
            int passed = 0;
            long deadline = System.nanoTime() + READ_DEADLINE_NANOS;
            while (passed < max && next < end) {
                ConsumerRecord<byte[], byte[]> r = fetched.pollFirst();
                if (r == null) {
                    // what the consumer skipped (transaction markers, aborted records) no reader sees
                    next = Math.max(next, Math.min(consumer.position(tp), end));
                    if (next >= end || System.nanoTime() > deadline) {
                        break;
                    }
                    consumer.poll(POLL).records(tp).forEach(fetched::addLast);
                    continue;
                }
                if (r.offset() >= end) {
                    fetched.addFirst(r);
                    break;
                }
                if (pass(r, out)) {
                    passed++;
                }
                next = r.offset() + 1;
            }
            if (fetched.isEmpty() && next < end) {
                next = Math.max(next, Math.min(consumer.position(tp), end));
            }
            return next;
        }

        private boolean pass(ConsumerRecord<byte[], byte[]> r, RecordConsumer out) {
            long arrival = Math.max(r.timestamp(), lastArrival);
            lastArrival = arrival;
            long epoch = Math.floorDiv(arrival, epochMs);
            byte[] value = r.value() == null ? new byte[0] : r.value();
            Header kind = r.headers().lastHeader(KIND_HEADER);
            if (kind != null) {
                out.accept(r.offset(), java.util.Arrays.equals(kind.value(), MARKER_KIND) ? MARKER : EVENT, epoch,
                        arrival, value, 0, value.length);
                return true;
            }
            JsonEvents.Result parsed = external.parse(value, arrival);
            if (parsed.accepted().size() == 1 && parsed.errors().isEmpty()) {
                byte[] row = parsed.accepted().get(0);
                out.accept(r.offset(), EVENT, epoch, arrival, row, 0, row.length);
                return true;
            }
            String reason = !parsed.errors().isEmpty() ? parsed.errors().get(0).error()
                    : parsed.accepted().isEmpty() ? "the record holds no event"
                    : "the record holds " + parsed.accepted().size() + " events; send one JSON object per record";
            deadLetter(r, reason);
            return false;
        }

        private void deadLetter(ConsumerRecord<byte[], byte[]> r, String reason) {
            if (deadLettered.getAndAccumulate(partition, r.offset(), Math::max) >= r.offset()) {
                return;
            }
            LOG.warn("topic '{}' partition {} offset {} is not an event of the stream, left out and copied to '{}':"
                    + " {}", topic, partition, r.offset(), deadLetterTopic, reason);
            List<Header> headers = List.of(new RecordHeader(REASON_HEADER, reason.getBytes(UTF_8)));
            byte[] key = (partition + ":" + r.offset()).getBytes(UTF_8);
            deadLetters.send(new ProducerRecord<>(deadLetterTopic, null, null, key, r.value(), headers),
                    (metadata, error) -> {
                        if (error != null) {
                            LOG.warn("topic '{}': cannot write offset {} to '{}': {}", topic, r.offset(),
                                    deadLetterTopic, error.toString());
                        }
                    });
        }
    }
}
