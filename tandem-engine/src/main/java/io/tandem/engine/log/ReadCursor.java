package io.tandem.engine.log;

import io.tandem.spi.log.EventLog;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.NavigableMap;
import java.util.zip.CRC32C;

import static io.tandem.engine.log.RecordFormat.ARRIVAL;
import static io.tandem.engine.log.RecordFormat.EPOCH;
import static io.tandem.engine.log.RecordFormat.HEADER;
import static io.tandem.engine.log.RecordFormat.KIND;
import static io.tandem.engine.log.RecordFormat.LENGTH;
import static io.tandem.engine.log.RecordFormat.OFFSET;

/**
 * Where a reader of one partition stands: the segment and file position of the next offset it expects, and a
 * buffer of what follows. A read that continues where the last one ended neither searches nor re-reads.
 *
 * <p>Bytes beyond the durable end may be half written when they are buffered, so the cursor trusts its buffer
 * only for the records below the durable end it saw when it filled the buffer ({@link #trustedEnd}).
 */
final class ReadCursor {

    private static final int BUFFER_BYTES = 1 << 20;

    private final NavigableMap<Long, Segment> segments;
    private final String partitionName;
    private final ChunkReader reader = new ChunkReader(BUFFER_BYTES);
    private final CRC32C crc = new CRC32C();
    private Segment segment;
    /** The segment after {@link #segment}, or null when there was none at the last look. */
    private Segment nextSegment;
    private long nextOffset = -1;
    private long filePos;
    private long trustedEnd;

    ReadCursor(NavigableMap<Long, Segment> segments, String partitionName) {
        this.segments = segments;
        this.partitionName = partitionName;
    }

    long nextOffset() {
        return nextOffset;
    }

    /** Passes records {@code [from, min(end, from + max))} to the consumer; {@code from < end}, {@code max > 0}. */
    long read(long from, long end, int max, EventLog.RecordConsumer consumer) throws IOException {
        if (segment == null || segment.deleted || nextOffset != from) {
            seek(from, end);
        } else if (nextSegment == null) {
            nextSegment = higher(segment);
        }
        long off = from;
        int count = 0;
        while (count < max && off < end) {
            if (nextSegment != null && off == nextSegment.base) {
                enter(nextSegment);
            }
            if (off >= trustedEnd) {
                reader.invalidate();
                trustedEnd = end;
            }
            int at = record(off);
            ByteBuffer buf = reader.buffer();
            int length = buf.getInt(at + LENGTH);
            if (!RecordFormat.crcMatches(buf, at, length, crc)) {
                throw corrupt("CRC mismatch", off);
            }
            consumer.accept(off, buf.get(at + KIND), buf.getLong(at + EPOCH), buf.getLong(at + ARRIVAL),
                    buf.array(), buf.arrayOffset() + at + HEADER, length);
            filePos += HEADER + length;
            nextOffset = ++off;
            count++;
        }
        return off;
    }

    /** Positions the cursor at {@code target} by scanning its segment from the start. */
    private void seek(long target, long end) throws IOException {
        Map.Entry<Long, Segment> floor = segments.floorEntry(target);
        if (floor == null) {
            throw new IllegalArgumentException("offset " + target + " is before the start of " + partitionName);
        }
        enter(floor.getValue());
        trustedEnd = end;
        long off = segment.base;
        while (off < target) {
            int at = record(off);
            filePos += HEADER + reader.buffer().getInt(at + LENGTH);
            off++;
        }
        nextOffset = target;
    }

    private void enter(Segment next) {
        segment = next;
        nextSegment = higher(next);
        filePos = 0;
        reader.reset(next.channel);
        nextOffset = next.base;
    }

    private Segment higher(Segment s) {
        Map.Entry<Long, Segment> e = segments.higherEntry(s.base);
        return e == null ? null : e.getValue();
    }

    /** Buffers the whole record at {@link #filePos}, checks its length and offset and returns its index. */
    private int record(long off) throws IOException {
        int at = reader.at(filePos, HEADER);
        if (at < 0) {
            throw corrupt("segment ends inside a record header", off);
        }
        ByteBuffer buf = reader.buffer();
        int length = buf.getInt(at + LENGTH);
        if (length < 0 || length > FileEventLog.MAX_UNIT_BYTES) {
            throw corrupt("bad payload length " + length, off);
        }
        if (buf.getLong(at + OFFSET) != off) {
            throw corrupt("found offset " + buf.getLong(at + OFFSET), off);
        }
        at = reader.at(filePos, HEADER + length);
        if (at < 0) {
            throw corrupt("segment ends inside the payload", off);
        }
        return at;
    }

    private IllegalStateException corrupt(String what, long off) {
        return new IllegalStateException("corrupt durable record in " + partitionName + ": " + what
                + " where offset " + off + " was expected at position " + filePos + " of " + segment);
    }
}
