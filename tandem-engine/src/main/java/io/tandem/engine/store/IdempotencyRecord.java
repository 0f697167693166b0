package io.tandem.engine.store;

import java.io.DataInput;
import java.io.DataInputStream;
import java.io.DataOutput;
import java.io.DataOutputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * An ingest request's idempotency key, the response it got and when it arrived. It is appended to the log as
 * the first record of the request's unit, so the request's events and its key are durable together.
 *
 * <pre>
 * +----------------+--------------------------+----------------------------------+
 * | arrival: i64   | key: u16 length + UTF-8  | response: u16-prefixed UTF-8 JSON |
 * +----------------+--------------------------+----------------------------------+
 * </pre>
 * (lengths as written by {@link DataOutput#writeUTF}; responses longer than 64 KiB are cut to their counts)
 */
public record IdempotencyRecord(String key, long arrivalMs, String responseJson) {

    public void write(DataOutput out) throws IOException {
        out.writeLong(arrivalMs);
        out.writeUTF(key);
        out.writeUTF(responseJson);
    }

    public static IdempotencyRecord read(DataInput in) throws IOException {
        long arrival = in.readLong();
        String key = in.readUTF();
        return new IdempotencyRecord(key, arrival, in.readUTF());
    }

    public byte[] toBytes() {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            write(new DataOutputStream(bytes));
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static IdempotencyRecord fromBytes(byte[] buf, int off, int len) {
        try {
            return read(new DataInputStream(new ByteArrayInputStream(buf, off, len)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
