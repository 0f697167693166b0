package io.tandem.engine.log;

import io.tandem.spi.log.EventLog;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/** Field positions of one record of a log segment; {@link FileEventLog} draws the layout. */
final class RecordFormat {

    static final int LENGTH = 0;
    static final int CRC = 4;
    static final int OFFSET = 8;
    static final int KIND = 16;
    static final int EPOCH = 17;
    static final int ARRIVAL = 25;
    static final int REMAINING = 33;
    /** Bytes before the payload. */
    static final int HEADER = 37;

    private RecordFormat() {
    }

    /** Writes one record at {@code buf}'s position and advances it past the record. */
    static void put(ByteBuffer buf, CRC32C crc, long offset, byte kind, long epoch, long arrivalMs, int remaining,
                    byte[] payload) {
        int start = buf.position();
        buf.putInt(payload.length).putInt(0).putLong(offset).put(kind).putLong(epoch).putLong(arrivalMs)
                .putInt(remaining).put(payload);
        int end = buf.position();
        int limit = buf.limit();
        crc.reset();
        crc.update(buf.position(start + OFFSET).limit(end));
        buf.limit(limit).position(end);
        buf.putInt(start + CRC, (int) crc.getValue());
    }

    /** Whether the stored CRC of the record at {@code at} matches its content. */
    static boolean crcMatches(ByteBuffer buf, int at, int payloadLength, CRC32C crc) {
        crc.reset();
        crc.update(buf.array(), buf.arrayOffset() + at + OFFSET, HEADER - OFFSET + payloadLength);
        return (int) crc.getValue() == buf.getInt(at + CRC);
    }

    static boolean validKind(byte kind) {
        return kind == EventLog.EVENT || kind == EventLog.MARKER;
    }
}
