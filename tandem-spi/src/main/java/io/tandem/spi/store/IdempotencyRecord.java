package io.tandem.spi.store;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInput;
import java.io.DataInputStream;
import java.io.DataOutput;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * An ingest request's idempotency key, the response it got, when it arrived, and a digest of the request, so
 * that a retry can be told from another request reusing the key. It is appended to the log as the first record
 * of the request's unit, so the request's events and its key are durable together.
 *
 * <pre>
 * +----------------+--------------------------+-----------------------------------+-------------------------+
 * | arrival: i64   | key: u16 length + UTF-8  | response: u16-prefixed UTF-8 JSON | digest length: u8,      |
 * |                |                          |                                   | then the digest's bytes |
 * +----------------+--------------------------+-----------------------------------+-------------------------+
 * </pre>
 * (lengths as written by {@link DataOutput#writeUTF}; responses longer than 64 KiB are cut to their counts). The
 * digest is the SHA-256 of {@link #digest the stream and the body} (length 32), or absent (length 0) when not
 * known. Markers written before digests were kept end after the response: {@link #fromBytes} reads them with no
 * digest, as {@link #readWithoutDigest} reads the entries of older checkpoints.
 *
 * @param requestDigest the request's digest in lower-case hex, or null when not known (an older marker): a retry
 *                      then gets the first response whatever its body
 */
public record IdempotencyRecord(String key, long arrivalMs, String responseJson, String requestDigest) {

    private static final int DIGEST_BYTES = 32;
    private static final HexFormat HEX = HexFormat.of();

    public IdempotencyRecord {
        if (requestDigest != null && requestDigest.length() != 2 * DIGEST_BYTES) {
            throw new IllegalArgumentException("requestDigest: expected " + 2 * DIGEST_BYTES + " hex digits, got \""
                    + requestDigest + "\"");
        }
    }

    /** The digest a request is known by: the SHA-256 of the stream's name in UTF-8, a NUL byte, and the body. */
    public static String digest(String stream, byte[] body) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(stream.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            return HEX.formatHex(sha.digest(body));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    /** Whether {@code digest} is another request than this record's (never, when this record has no digest). */
    public boolean conflictsWith(String digest) {
        return requestDigest != null && !requestDigest.equals(digest);
    }

    public void write(DataOutput out) throws IOException {
        out.writeLong(arrivalMs);
        out.writeUTF(key);
        out.writeUTF(responseJson);
        if (requestDigest == null) {
            out.writeByte(0);
        } else {
            out.writeByte(DIGEST_BYTES);
            out.write(HEX.parseHex(requestDigest));
        }
    }

    /** Reads the binary form written by {@link #write}. */
    public static IdempotencyRecord read(DataInput in) throws IOException {
        IdempotencyRecord r = readWithoutDigest(in);
        int length = in.readUnsignedByte();
        if (length == 0) {
            return r;
        }
        if (length != DIGEST_BYTES) {
            throw new IOException("idempotency record of key '" + r.key() + "': digest length " + length
                    + ", expected 0 or " + DIGEST_BYTES);
        }
        byte[] digest = new byte[DIGEST_BYTES];
        in.readFully(digest);
        return new IdempotencyRecord(r.key(), r.arrivalMs(), r.responseJson(), HEX.formatHex(digest));
    }

    /** Reads the older binary form, which ends after the response. */
    public static IdempotencyRecord readWithoutDigest(DataInput in) throws IOException {
        long arrival = in.readLong();
        String key = in.readUTF();
        return new IdempotencyRecord(key, arrival, in.readUTF(), null);
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

    /** Reads a marker's payload, in either form: with a digest, or ending after the response. */
    public static IdempotencyRecord fromBytes(byte[] buf, int off, int len) {
        try {
            ByteArrayInputStream bytes = new ByteArrayInputStream(buf, off, len);
            DataInputStream in = new DataInputStream(bytes);
            IdempotencyRecord r = readWithoutDigest(in);
            if (bytes.available() == 0) {
                return r;
            }
            bytes.reset();
            return read(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
