package io.tandem.core;

import io.tandem.core.time.TimeFormat;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A named flow of JSON events with a declared schema.
 *
 * @param timeField the event-time field; its value is carried by {@link Row#eventTime()} and is not one of
 *                  {@code fields} unless also declared there
 * @param fields      the declared fields, in declaration order; a field's index is its position here
 * @param maxFutureMs how far past its arrival time an event's time may be; later events are rejected at ingest
 * @param minTimeMs   the earliest event time accepted at ingest (epoch milliseconds)
 * @param onBadEvent  what the hot path does with a record it cannot read or place
 * @param timeFormat  how events write the time field ({@code time: {field, format, zone}})
 * @param derived     the fields computed from the declared ones, in declaration order; they have no index, as
 *                    events do not carry them (read them with {@code Expressions.reader})
 */
public record StreamDef(String name, String timeField, long latenessMs, List<FieldDef> fields,
                        UnknownFields unknownFields, long maxFutureMs, long minTimeMs, BadEventPolicy onBadEvent,
                        TimeFormat timeFormat, List<DerivedField> derived) {

    /** The default {@code max_future}: one hour past the arrival time, for clock skew between producers. */
    public static final long DEFAULT_MAX_FUTURE_MS = 3_600_000L;
    /**
     * The default {@code min_time}: 1900-01-01T00:00:00Z. It rejects placeholder and broken values (year 0001,
     * negative years, {@code Long.MIN_VALUE}) while keeping the 20th century, as times before 1970 are supported
     * everywhere else (negative epoch milliseconds, floor bucketing).
     */
    public static final long DEFAULT_MIN_TIME_MS = -2_208_988_800_000L;

    public StreamDef {
        fields = List.copyOf(fields);
        derived = List.copyOf(derived);
        Objects.requireNonNull(timeFormat, "timeFormat");
        if (maxFutureMs < 0) {
            throw new IllegalArgumentException("maxFutureMs must not be negative, got " + maxFutureMs);
        }
    }

    /** A stream without derived fields. */
    public StreamDef(String name, String timeField, long latenessMs, List<FieldDef> fields,
                     UnknownFields unknownFields, long maxFutureMs, long minTimeMs, BadEventPolicy onBadEvent,
                     TimeFormat timeFormat) {
        this(name, timeField, latenessMs, fields, unknownFields, maxFutureMs, minTimeMs, onBadEvent, timeFormat,
                List.of());
    }

    /** A stream whose events write their time as ISO-8601 text or epoch milliseconds ({@link TimeFormat#DEFAULT}). */
    public StreamDef(String name, String timeField, long latenessMs, List<FieldDef> fields,
                     UnknownFields unknownFields, long maxFutureMs, long minTimeMs, BadEventPolicy onBadEvent) {
        this(name, timeField, latenessMs, fields, unknownFields, maxFutureMs, minTimeMs, onBadEvent,
                TimeFormat.DEFAULT);
    }

    /**
     * A stream with the default time bounds ({@link #DEFAULT_MAX_FUTURE_MS}, {@link #DEFAULT_MIN_TIME_MS}) and bad
     * records kept as dead letters.
     */
    public StreamDef(String name, String timeField, long latenessMs, List<FieldDef> fields,
                     UnknownFields unknownFields) {
        this(name, timeField, latenessMs, fields, unknownFields, DEFAULT_MAX_FUTURE_MS, DEFAULT_MIN_TIME_MS,
                BadEventPolicy.DEAD_LETTER);
    }

    /** The index of a declared field, or -1 when the stream declares no such field (a derived one has none). */
    public int indexOf(String field) {
        for (int i = 0; i < fields.size(); i++) {
            if (fields.get(i).name().equals(field)) {
                return i;
            }
        }
        return -1;
    }

    public FieldDef field(int index) {
        return fields.get(index);
    }

    /** The derived field of this name, or null. */
    public DerivedField derived(String name) {
        for (DerivedField d : derived) {
            if (d.name().equals(name)) {
                return d;
            }
        }
        return null;
    }

    /**
     * The type of what {@code name} reads: a declared field's, a derived field's, timestamp for the time field when
     * it is not declared, or null when the stream has nothing of that name.
     */
    public FieldType typeOf(String name) {
        int i = indexOf(name);
        if (i >= 0) {
            return fields.get(i).type();
        }
        DerivedField d = derived(name);
        if (d != null) {
            return d.type();
        }
        return name.equals(timeField) ? FieldType.TIMESTAMP : null;
    }

    /** The same stream with these derived fields. */
    public StreamDef withDerived(List<DerivedField> fields) {
        return new StreamDef(name, timeField, latenessMs, this.fields, unknownFields, maxFutureMs, minTimeMs,
                onBadEvent, timeFormat, fields);
    }

    /** The declared and derived field names, comma separated, for error messages. */
    public String fieldNames() {
        List<String> names = new ArrayList<>(fields.stream().map(FieldDef::name).toList());
        derived.forEach(d -> names.add(d.name()));
        return String.join(", ", names);
    }
}
