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
import static io.tandem.engine.log.RecordFormat.REMAINING;

/**
 * Where a reader of one partition stands: the segment and file position of the next offset it expects, and a
 * buffer of what follows. A read that continues where the last one ended neither searches nor re-reads.
 *
 * <p>Bytes beyond the durable end may be half written when they are buffered, so the cursor trusts its buffer
 * only for the records below the durable end it saw when it filled the buffer ({@link #trustedEnd}).
 *
 * <p>Before it passes on the first record of a unit, the cursor checks every record of the unit (length, offset,
 * CRC), so a damaged unit is passed on whole or not at all. Damage in a sealed segment (one with a segment after
 * it) goes to {@link Damage#quarantine}, which cuts the segment there, and the cursor seeks again; damage in the
 * last segment, which recovery checked at open, fails the read. A sealed segment may end before the next segment's
 * base: the offsets between were lost to damage, and the cursor goes on at that base, telling
 * {@link Damage#skipped}.
 */
final class ReadCursor {

    private static final int BUFFER_BYTES = 1 << 20;
    /** The sealed segment ends at {@link #filePos}. */
    private static final int ENDS = -1;
    /** Damage was cut out of the segment; the cursor must seek again. */
    private static final int MOVED = -2;
    /** {@link #problem}: a sealed segment ends at the position asked for. */
    private static final String CLEAN_END = "segment ends where a record was expected";

    /** What a cursor does about damage it finds in a sealed segment. */
    interface Damage {

        /**
         * Cuts the segment at the record of {@code offset} at byte {@code filePos}, a unit's first not yet passed
         * on, moving the damaged range from there aside; the intact units after it go to a segment of their own.
         *
         * @param unitEnd the offset after that unit when a record said so, else -1
         * @param problem what is damaged, and where
         */
        void quarantine(Segment segment, long offset, long filePos, long unitEnd, String problem) throws IOException;

        /** The records of a segment end at {@code from}, and the next segment starts at {@code to}. */
        void skipped(Segment segment, long from, long to);
    }

    private final NavigableMap<Long, Segment> segments;
    private final String partitionName;
    private final Damage damage;
    private final ChunkReader reader = new ChunkReader(BUFFER_BYTES);
    private final CRC32C crc = new CRC32C();
    private Segment segment;
    /** The segment after {@link #segment}, or null when there was none at the last look. */
    private Segment nextSegment;
    private long nextOffset = -1;
    private long filePos;
    private long trustedEnd;
    /** The records of {@link #segment} below this offset are checked. */
    private long checkedEnd;
    /** The {@code remaining} of the record before {@link #filePos}: 0 when a unit starts there. */
    private int unitLeft;

    ReadCursor(NavigableMap<Long, Segment> segments, String partitionName, Damage damage) {
        this.segments = segments;
        this.partitionName = partitionName;
        this.damage = damage;
    }

    long nextOffset() {
        return nextOffset;
    }

    /**
     * Passes records {@code [from, min(end, from + max))} to the consumer, skipping lost offsets;
     * {@code from < end}, {@code max > 0}.
     */
    long read(long from, long end, int max, EventLog.RecordConsumer consumer) throws IOException {
        long off = from;
        if (segment == null || segment.deleted || nextOffset != from) {
            off = seek(from, end);
        } else if (nextSegment == null) {
            nextSegment = higher(segment);
        }
        int count = 0;
        while (count < max && off < end) {
            if (nextSegment != null && off == nextSegment.base) {
                enter(nextSegment);
            }
            if (off >= trustedEnd) {
                reader.invalidate();
                trustedEnd = end;
            }
            int checked = off < checkedEnd ? 0 : checkUnit(off);
            if (checked < 0) {
                off = checked == ENDS ? skip(off, end) : seek(off, end);
                continue;
            }
            int at = reader.at(filePos, HEADER);
            ByteBuffer buf = reader.buffer();
            int length = buf.getInt(at + LENGTH);
            at = reader.at(filePos, HEADER + length);
            buf = reader.buffer();
            consumer.accept(off, buf.get(at + KIND), buf.getLong(at + EPOCH), buf.getLong(at + ARRIVAL),
                    buf.array(), buf.arrayOffset() + at + HEADER, length);
            unitLeft = buf.getInt(at + REMAINING);
            filePos += HEADER + length;
            nextOffset = ++off;
            count++;
        }
        return off;
    }

    /**
     * Checks the records from {@code off} at {@link #filePos} to the end of their unit.
     *
     * @return 0 when they are intact, else {@link #ENDS} or {@link #MOVED}
     */
    private int checkUnit(long off) throws IOException {
        long pos = filePos;
        long o = off;
        long unitEnd = unitLeft > 0 ? off + unitLeft : -1;
        int remaining;
        do {
            String problem = problem(pos, o, true);
            if (problem != null) {
                boolean ends = pos == filePos && CLEAN_END.equals(problem);
                return ends ? ENDS : damaged(off, filePos, unitEnd, problem, pos, o);
            }
            int at = reader.at(pos, HEADER);
            ByteBuffer buf = reader.buffer();
            remaining = buf.getInt(at + REMAINING);
            if (unitEnd < 0) {
                unitEnd = o + remaining + 1;
            }
            pos += HEADER + buf.getInt(at + LENGTH);
            o++;
        } while (remaining > 0);
        checkedEnd = o;
        return 0;
    }

    /**
     * Positions the cursor at {@code target} by scanning its segment from the start, or, when {@code target} was
     * lost, at the first offset after it that a segment holds.
     *
     * @return the offset the cursor is at
     */
    private long seek(long target, long end) throws IOException {
        Map.Entry<Long, Segment> floor = segments.floorEntry(target);
        if (floor == null) {
            throw new IllegalArgumentException("offset " + target + " is before the start of " + partitionName);
        }
        enter(floor.getValue());
        trustedEnd = end;
        long off = segment.base;
        long unitStart = off;
        long unitStartPos = 0;
        long unitEnd = -1;
        while (off < target) {
            String problem = problem(filePos, off, false);
            if (CLEAN_END.equals(problem)) {
                return skip(off, end);
            }
            if (problem != null) {
                damaged(unitStart, unitStartPos, unitStart == off ? -1 : unitEnd, problem, filePos, off);
                return seek(target, end);
            }
            int at = reader.at(filePos, HEADER);
            int remaining = reader.buffer().getInt(at + REMAINING);
            if (unitLeft == 0) {
                unitEnd = off + remaining + 1;
            }
            unitLeft = remaining;
            filePos += HEADER + reader.buffer().getInt(at + LENGTH);
            off++;
            if (unitLeft == 0) {
                unitStart = off;
                unitStartPos = filePos;
            }
        }
        nextOffset = target;
        return target;
    }

    /** The sealed segment ends before {@code off}: goes on at the next segment, which may start after it. */
    private long skip(long off, long end) throws IOException {
        Segment next = higher(segment);
        if (next.base > off) {
            damage.skipped(segment, off, next.base);
        }
        // a cursor that read on from a buffer filled before a cut may already be past the next segment's base
        return seek(Math.max(off, next.base), end);
    }

    private void enter(Segment next) {
        segment = next;
        nextSegment = higher(next);
        filePos = 0;
        unitLeft = 0;
        checkedEnd = next.base;
        reader.reset(next.channel);
        nextOffset = next.base;
    }

    private Segment higher(Segment s) {
        Map.Entry<Long, Segment> e = segments.higherEntry(s.base);
        return e == null ? null : e.getValue();
    }

    /**
     * What is wrong with the record expected to be offset {@code off} at byte {@code pos}, after buffering it
     * whole: null when nothing is, {@link #CLEAN_END} when a sealed segment ends there.
     */
    private String problem(long pos, long off, boolean checkCrc) throws IOException {
        int at = reader.at(pos, HEADER);
        if (at < 0) {
            return nextSegment != null && reader.at(pos, 1) < 0 ? CLEAN_END : "segment ends inside a record header";
        }
        ByteBuffer buf = reader.buffer();
        int length = buf.getInt(at + LENGTH);
        if (length < 0 || length > FileEventLog.MAX_UNIT_BYTES) {
            return "bad payload length " + length;
        }
        if (buf.getLong(at + OFFSET) != off) {
            return "found offset " + buf.getLong(at + OFFSET);
        }
        at = reader.at(pos, HEADER + length);
        if (at < 0) {
            return "segment ends inside the payload";
        }
        return checkCrc && !RecordFormat.crcMatches(reader.buffer(), at, length, crc) ? "CRC mismatch" : null;
    }

    /**
     * Damage at the record of offset {@code off} at byte {@code pos}, in the unit whose records from
     * {@code unitStart} at {@code unitStartPos} on were not passed on: fails in the last segment, else cuts it out.
     */
    private int damaged(long unitStart, long unitStartPos, long unitEnd, String problem, long pos, long off)
            throws IOException {
        String what = (CLEAN_END.equals(problem) ? "segment ends inside a unit" : problem) + " where offset " + off
                + " was expected at position " + pos + " of " + segment;
        if (nextSegment == null) {
            throw new IllegalStateException("corrupt durable record in " + partitionName + ": " + what);
        }
        damage.quarantine(segment, unitStart, unitStartPos, unitEnd, what);
        return MOVED;
    }
}
