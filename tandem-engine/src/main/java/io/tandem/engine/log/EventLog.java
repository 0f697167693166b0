package io.tandem.engine.log;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One stream's durable, ordered, partitioned record of every accepted event (a Kafka topic, or segment files).
 *
 * <p>An append stamps each record with its arrival time and epoch and is acknowledged only once durable. The
 * records of one {@link #append} call form a unit: after a crash either all of them are in the log or none is.
 * Readers see durable records only, so nothing a reader applied can vanish in a crash.
 */
public interface EventLog extends AutoCloseable {

    /** Record kind of an event: the payload is a row in {@code RowCodec}'s format. */
    byte EVENT = 0;
    /** Record kind of an idempotency marker: the payload is an {@code IdempotencyRecord}'s binary form. */
    byte MARKER = 1;

    int partitions();

    /**
     * Appends records to one partition as one unit.
     *
     * @param kinds    one kind per payload ({@link #EVENT} or {@link #MARKER}), or null when all are events
     * @param payloads the record payloads, in order
     * @return completes with the offset of the first record once every record of the call is durable
     */
    CompletableFuture<Long> append(int partition, byte[] kinds, List<byte[]> payloads);

    /** The offset after the last durable record: what readers can see. */
    long durableEnd(int partition);

    /** The offset of the oldest record still kept. */
    long startOffset(int partition);

    /**
     * Reads durable records from {@code fromOffset}, at most {@code maxRecords} of them, in offset order.
     *
     * @return the offset after the last record passed to the consumer ({@code fromOffset} when none was)
     */
    long read(int partition, long fromOffset, int maxRecords, RecordConsumer consumer);

    /** Removes every record before {@code offset} that lies in a segment wholly before it (retention). */
    void deleteBefore(int partition, long offset);

    @Override
    void close();

    /** Receives records in place; the buffer is only valid during the call. */
    @FunctionalInterface
    interface RecordConsumer {
        void accept(long offset, byte kind, long epoch, long arrivalMs, byte[] buf, int off, int len);
    }
}
