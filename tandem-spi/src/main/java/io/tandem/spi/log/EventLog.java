package io.tandem.spi.log;

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

    /** The number of partitions, numbered from 0. */
    int partitions();

    /**
     * Appends records to one partition as one unit. The records get increasing offsets (dense from 0 in the file
     * log, but for the offsets of damaged records, which it never gives again; Kafka leaves a gap after each
     * transaction for its marker, which no reader sees), an arrival time read from the log's clock (Kafka's: the
     * broker's append time), and the epoch of that arrival time ({@code floorDiv(arrivalMs, epochMs)}, so arrivals
     * before 1970 have negative epochs).
     *
     * <p>Arrival times never go back within a partition, even when the clock does and across a reopen: the arrival
     * is {@code max(clock, arrival of the partition's last record)}. So once a partition holds a record of epoch
     * {@code e}, no later record of that partition lands in an epoch before {@code e}, which is what lets the lake
     * seal epochs.
     *
     * <p>The future completes only once {@link #durableEnd} covers every record of the unit. It fails when the log
     * is closed ({@link IllegalStateException}) or when the records could not be made durable: they are then not
     * acknowledged, and the caller treats the outcome as unknown (a retry carries the same idempotency key).
     *
     * @param kinds    one kind per payload ({@link #EVENT} or {@link #MARKER}), or null when all are events
     * @param payloads the record payloads, in order; the log copies them before returning
     * @return completes with the offset of the first record once every record of the call is durable
     * @throws IllegalArgumentException for a bad partition, no payloads, a null payload, or kinds that do not
     *                                  match the payloads
     */
    CompletableFuture<Long> append(int partition, byte[] kinds, List<byte[]> payloads);

    /** The offset after the last durable record: what readers can see. It never falls inside a unit. */
    long durableEnd(int partition);

    /** The offset of the oldest record still kept. */
    long startOffset(int partition);

    /**
     * Reads durable records from {@code fromOffset}, at most {@code maxRecords} of them, in offset order.
     *
     * @return the offset to read from next: after the last record passed to the consumer, or further when only
     *         records no reader sees lie between it and the next record; {@code fromOffset} when nothing was read
     * @throws IllegalArgumentException when {@code fromOffset} is outside
     *                                  [{@link #startOffset}, {@link #durableEnd}] or {@code maxRecords} is negative
     */
    long read(int partition, long fromOffset, int maxRecords, RecordConsumer consumer);

    /**
     * Removes every record before {@code offset} that lies in a segment wholly before it (retention); records
     * from {@code offset} on stay readable, and {@link #startOffset} moves to the first record kept.
     *
     * @throws IllegalArgumentException when {@code offset} is after {@link #durableEnd}
     */
    void deleteBefore(int partition, long offset);

    /** Acknowledges every append made before, then releases the log; later appends fail. */
    @Override
    void close();

    /**
     * Receives records in place: the payload is {@code buf[off, off + len)}, valid only during the call and never
     * to be modified.
     */
    @FunctionalInterface
    interface RecordConsumer {
        void accept(long offset, byte kind, long epoch, long arrivalMs, byte[] buf, int off, int len);
    }
}
