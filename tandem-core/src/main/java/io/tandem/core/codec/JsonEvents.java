package io.tandem.core.codec;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.tandem.core.FieldType;
import io.tandem.core.StreamDef;
import io.tandem.core.UnknownFields;
import io.tandem.core.time.Durations;
import io.tandem.core.time.TimeFormat;
import io.tandem.core.time.Timestamps;

import java.io.CharConversionException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns an ingest body for one stream into payloads in {@link RowCodec}'s format, with a clear error for each
 * record it rejects. Thread-safe: one instance per stream serves every request.
 *
 * <p>A body is either NDJSON (one JSON object per line; blank lines and a {@code \r} before {@code \n} are
 * ignored) or one JSON array of objects; it is an array when its first non-whitespace character is {@code [}.
 * NDJSON is read line by line, so a malformed line is one rejected record and the next line still counts. In an
 * array, an element of the wrong shape is one rejected record, but malformed JSON stops the parse: the elements
 * before it are kept and the error names the index where it happened.
 *
 * <p>Values are checked against the stream's declared types, strictly:
 * <ul>
 *   <li>{@code string}: JSON strings only;</li>
 *   <li>{@code long}: integral JSON numbers; a number with a fraction or exponent is accepted when its value is
 *       a whole number of magnitude at most 2<sup>53</sup> ({@code 5.0}, {@code 1e3}), since some JSON writers
 *       print every number that way;</li>
 *   <li>{@code double}: any JSON number;</li>
 *   <li>{@code boolean}: {@code true} and {@code false} only;</li>
 *   <li>{@code timestamp} and the time field: an ISO-8601 string, a string of epoch milliseconds, or an
 *       integral number of epoch milliseconds (as for {@code long}).</li>
 * </ul>
 * A null or missing field is stored as null, except the time field, which every record must carry, within the
 * stream's bounds: no earlier than {@link StreamDef#minTimeMs()} and no later than
 * {@link StreamDef#maxFutureMs()} past the arrival time of the request. A property
 * the stream does not declare is skipped or rejects the record, as the stream's {@link UnknownFields} says. A
 * property given twice rejects the record. Each rejected record carries its first error, naming the field and
 * quoting the value: {@code price: expected double, got string "abc"}.
 *
 * <p>A record longer than the limit (1 MiB by default) is rejected without being parsed in NDJSON; in an array
 * its size is checked once the element is read.
 *
 * <p>A body is UTF-8. A record holding a NUL byte (never valid in UTF-8 JSON, and what makes a body look like
 * UTF-16 or UTF-32) is rejected as malformed; so is any invalid UTF-8. Parsing is total: whatever the bytes, the
 * result is accepted records and per-record errors, never an exception.
 */
public final class JsonEvents {

    /** The default limit on one record: 1 MiB. */
    public static final int DEFAULT_MAX_RECORD_BYTES = 1 << 20;

    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
            .build();
    private static final double MAX_EXACT_LONG = 0x1p53;
    private static final int MAX_QUOTED_CHARS = 64;

    private final StreamDef stream;
    private final RowCodec codec;
    private final int maxRecordBytes;
    private final Map<String, Integer> fieldIndex = new HashMap<>();
    private final FieldType[] types;
    private final String timeField;
    private final String fieldNames;

    /** Parses events of {@code stream} with the default record limit. */
    public JsonEvents(StreamDef stream) {
        this(stream, DEFAULT_MAX_RECORD_BYTES);
    }

    /** Parses events of {@code stream}, rejecting any record longer than {@code maxRecordBytes}. */
    public JsonEvents(StreamDef stream, int maxRecordBytes) {
        if (maxRecordBytes <= 0) {
            throw new IllegalArgumentException("maxRecordBytes must be positive, got " + maxRecordBytes);
        }
        this.stream = stream;
        this.codec = new RowCodec(stream);
        this.maxRecordBytes = maxRecordBytes;
        this.types = new FieldType[stream.fields().size()];
        for (int i = 0; i < types.length; i++) {
            fieldIndex.put(stream.field(i).name(), i);
            types[i] = stream.field(i).type();
        }
        this.timeField = stream.timeField();
        this.fieldNames = stream.fieldNames();
    }

    /** Parses a whole body that arrived at {@code arrivalMs} (which {@link StreamDef#maxFutureMs()} counts from). */
    public Result parse(byte[] body, long arrivalMs) {
        return parse(body, 0, body.length, arrivalMs);
    }

    /** Parses {@code body[offset .. offset + length)}, which arrived at {@code arrivalMs}. */
    public Result parse(byte[] body, int offset, int length, long arrivalMs) {
        Batch batch = new Batch(arrivalMs);
        try {
            if (startsWithBracket(body, offset, offset + length)) {
                batch.array(body, offset, length);
                return new Result(Format.ARRAY, batch.accepted, batch.errors);
            }
            batch.ndjson(body, offset, offset + length);
            return new Result(Format.NDJSON, batch.accepted, batch.errors);
        } catch (IOException e) {
            // a parser over a byte array throws only JsonProcessingException, and each record catches its own
            throw new UncheckedIOException(e);
        }
    }

    private static boolean startsWithBracket(byte[] body, int from, int to) {
        int i = from;
        if (to - i >= 3 && body[i] == (byte) 0xEF && body[i + 1] == (byte) 0xBB && body[i + 2] == (byte) 0xBF) {
            i += 3; // UTF-8 byte order mark
        }
        while (i < to && isSpace(body[i])) {
            i++;
        }
        return i < to && body[i] == '[';
    }

    private static boolean isSpace(byte b) {
        return b == ' ' || b == '\t' || b == '\r' || b == '\n';
    }

    /** How a body was laid out, and so how its errors say where a record was. */
    public enum Format {
        /** One object per line: {@link RecordError#line()} is the 1-based line number. */
        NDJSON("line"),
        /** One array of objects: {@link RecordError#line()} is the 0-based index of the element. */
        ARRAY("index");

        private final String positionKey;

        Format(String positionKey) {
            this.positionKey = positionKey;
        }

        /** The JSON key a response should use for {@link RecordError#line()}: {@code line} or {@code index}. */
        public String positionKey() {
            return positionKey;
        }
    }

    /**
     * What a body held.
     *
     * @param format   NDJSON or an array, which says what {@link RecordError#line()} counts
     * @param accepted the payloads of the valid records, in input order
     * @param errors   one error per rejected record, in input order
     */
    public record Result(Format format, List<byte[]> accepted, List<RecordError> errors) {
    }

    /**
     * One rejected record.
     *
     * @param line  where the record was: its 1-based line for NDJSON, its 0-based index in an array (see
     *              {@link Result#format()} and {@link Format#positionKey()})
     * @param error what is wrong, e.g. {@code qty: expected long, got 1.5}
     */
    public record RecordError(int line, String error) {
    }

    /** The state of one {@link #parse} call: reused from one record to the next. */
    private final class Batch {
        private static final byte ABSENT = 0;
        private static final byte NULL = 1;
        private static final byte SET = 2;

        final List<byte[]> accepted = new ArrayList<>();
        final List<RecordError> errors = new ArrayList<>();
        private final RowCodec.Builder builder = codec.builder();
        private final long arrivalMs;
        /** The latest event time accepted: arrival plus max_future, saturated at {@code Long.MAX_VALUE}. */
        private final long maxTime;
        private final byte[] state = new byte[types.length];
        private final long[] bits = new long[types.length];
        private final String[] strings = new String[types.length];
        private boolean hasTime;
        private long eventTime;
        /** The value read by {@link #readIntegral}. */
        private long integral;

        Batch(long arrivalMs) {
            this.arrivalMs = arrivalMs;
            long sum = arrivalMs + stream.maxFutureMs();
            this.maxTime = sum < arrivalMs ? Long.MAX_VALUE : sum; // max_future is never negative
        }

        void ndjson(byte[] body, int from, int to) throws IOException {
            int line = 0;
            int start = from;
            while (start < to) {
                line++;
                int end = start;
                int nul = -1;
                while (end < to && body[end] != '\n') {
                    if (body[end] == 0 && nul < 0) {
                        nul = end;
                    }
                    end++;
                }
                int next = end + 1;
                if (end > start && body[end - 1] == '\r') {
                    end--;
                }
                if (!isBlank(body, start, end)) {
                    String error = end - start > maxRecordBytes ? tooLong(end - start)
                            : nul >= 0 ? nulByte(nul - start + 1)
                            : ndjsonLine(body, start, end - start);
                    if (error != null) {
                        errors.add(new RecordError(line, error));
                    }
                }
                start = next;
            }
        }

        /** Reads one line into {@link #accepted}; returns its error instead when it has one. */
        private String ndjsonLine(byte[] body, int offset, int length) throws IOException {
            try (JsonParser p = JSON.createParser(body, offset, length)) {
                JsonToken first = p.nextToken();
                if (first != JsonToken.START_OBJECT) {
                    return "expected a JSON object, got " + kind(first);
                }
                String error = readObject(p);
                if (error == null && p.nextToken() != null) {
                    error = "expected one JSON object per line, got more after it";
                }
                if (error == null) {
                    accepted.add(encode());
                }
                return error;
            } catch (JsonProcessingException e) {
                return malformed(e, false);
            } catch (CharConversionException e) {
                return "malformed JSON: " + e.getMessage();
            }
        }

        void array(byte[] body, int offset, int length) throws IOException {
            for (int i = offset; i < offset + Math.min(4, length); i++) {
                if (body[i] == 0) {
                    // the parser would take the body for UTF-16 or UTF-32
                    errors.add(new RecordError(0, nulByte(i - offset + 1)));
                    return;
                }
            }
            int index = 0;
            try (JsonParser p = JSON.createParser(body, offset, length)) {
                p.nextToken();
                for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
                    long start = p.currentTokenLocation().getByteOffset();
                    String error;
                    if (t == JsonToken.START_OBJECT) {
                        error = readObject(p);
                    } else {
                        error = "expected a JSON object, got " + kind(t);
                        p.skipChildren();
                    }
                    long size = p.currentLocation().getByteOffset() - start;
                    if (error == null && size > maxRecordBytes) {
                        error = tooLong(size);
                    }
                    if (error == null) {
                        accepted.add(encode());
                    } else {
                        errors.add(new RecordError(index, error));
                    }
                    index++;
                }
                JsonToken after = p.nextToken();
                if (after != null) {
                    errors.add(new RecordError(index, "expected nothing after the array, got " + kind(after)));
                }
            } catch (JsonProcessingException e) {
                errors.add(new RecordError(index, malformed(e, true)));
            } catch (CharConversionException e) {
                errors.add(new RecordError(index, "malformed JSON: " + e.getMessage()));
            }
        }

        /**
         * Reads the object whose START_OBJECT is the current token up to its END_OBJECT, and returns its first
         * error, or null when it is valid and its values are staged for {@link #encode}.
         */
        private String readObject(JsonParser p) throws IOException {
            Arrays.fill(state, ABSENT);
            hasTime = false;
            String error = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (error == null) {
                    error = readProperty(name, value, p);
                }
                p.skipChildren();
            }
            if (error == null && !hasTime) {
                error = timeField + ": missing event time";
            }
            return error;
        }

        private String readProperty(String name, JsonToken value, JsonParser p) throws IOException {
            Integer index = fieldIndex.get(name);
            if (name.equals(timeField)) {
                return readTime(value, p, index == null ? -1 : index);
            }
            if (index == null) {
                return stream.unknownFields() == UnknownFields.REJECT
                        ? "unknown field '" + name + "' (fields: " + fieldNames + ")"
                        : null;
            }
            int i = index;
            if (state[i] != ABSENT) {
                return name + ": duplicate field";
            }
            if (value == JsonToken.VALUE_NULL) {
                state[i] = NULL;
                return null;
            }
            String error = switch (types[i]) {
                case STRING -> readString(value, p, i);
                case LONG -> readLong(value, p, i);
                case DOUBLE -> readDouble(value, p, i);
                case BOOLEAN -> readBoolean(value, p, i);
                case TIMESTAMP -> readTimestamp(value, p, i);
            };
            return error == null ? null : name + ": " + error;
        }

        private String readTime(JsonToken value, JsonParser p, int index) throws IOException {
            if (hasTime) {
                return timeField + ": duplicate field";
            }
            if (value == JsonToken.VALUE_NULL) {
                return timeField + ": missing event time";
            }
            String error = stream.timeFormat() == TimeFormat.DEFAULT ? timestamp(value, p) : formattedTime(value, p);
            if (error != null) {
                return timeField + ": " + error;
            }
            if (integral < stream.minTimeMs()) {
                return timeField + ": " + Timestamps.format(integral) + " is before the stream's min_time "
                        + Timestamps.format(stream.minTimeMs());
            }
            if (integral > maxTime) {
                return timeField + ": " + Timestamps.format(integral) + " is after the stream's max_future bound "
                        + Timestamps.format(maxTime) + " (arrival " + Timestamps.format(arrivalMs) + " + "
                        + Durations.format(stream.maxFutureMs()) + ")";
            }
            hasTime = true;
            eventTime = integral;
            if (index >= 0) {
                set(index, integral);
            }
            return null;
        }

        /** Strings, and numbers or booleans as the text they were written with (CSV and loose producers). */
        private String readString(JsonToken value, JsonParser p, int i) throws IOException {
            if (!value.isScalarValue()) {
                return "expected string, got " + describe(value, p);
            }
            state[i] = SET;
            strings[i] = p.getText();
            return null;
        }

        private String readLong(JsonToken value, JsonParser p, int i) throws IOException {
            String error = readIntegral(value, p);
            if (error != null) {
                return "expected long, got " + error;
            }
            set(i, integral);
            return null;
        }

        private String readDouble(JsonToken value, JsonParser p, int i) throws IOException {
            if (!value.isNumeric()) {
                return "expected double, got " + describe(value, p);
            }
            double d = p.getDoubleValue();
            if (!Double.isFinite(d)) {
                return "expected double, got " + p.getText() + " (out of range)";
            }
            set(i, Double.doubleToRawLongBits(d));
            return null;
        }

        private String readBoolean(JsonToken value, JsonParser p, int i) throws IOException {
            if (!value.isBoolean()) {
                return "expected boolean, got " + describe(value, p);
            }
            set(i, value == JsonToken.VALUE_TRUE ? 1 : 0);
            return null;
        }

        private String readTimestamp(JsonToken value, JsonParser p, int i) throws IOException {
            String error = timestamp(value, p);
            if (error != null) {
                return error;
            }
            set(i, integral);
            return null;
        }

        /** Reads a timestamp into {@link #integral}; returns the error instead when the value is not one. */
        private String timestamp(JsonToken value, JsonParser p) throws IOException {
            String expected = "expected an ISO-8601 timestamp or epoch milliseconds, got ";
            if (value == JsonToken.VALUE_STRING) {
                String text = p.getText();
                try {
                    integral = Timestamps.parse(text);
                    return null;
                } catch (IllegalArgumentException e) {
                    return e.getCause() instanceof ArithmeticException ? e.getMessage() : expected + quote(text);
                }
            }
            String error = readIntegral(value, p);
            return error == null ? null : expected + error;
        }

        /** Reads the event time in the stream's format into {@link #integral}; returns the error instead. */
        private String formattedTime(JsonToken value, JsonParser p) throws IOException {
            TimeFormat format = stream.timeFormat();
            try {
                if (value == JsonToken.VALUE_NUMBER_INT && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
                    integral = format.ofNumber(p.getLongValue());
                } else if (value == JsonToken.VALUE_STRING || value.isNumeric()) {
                    integral = format.parse(p.getText());
                } else {
                    return "expected " + format.expected() + ", got " + describe(value, p);
                }
                return null;
            } catch (IllegalArgumentException e) {
                return e.getMessage();
            }
        }

        /**
         * Reads a whole number into {@link #integral}; returns a description of the value instead when it is not
         * one that fits a long exactly.
         */
        private String readIntegral(JsonToken value, JsonParser p) throws IOException {
            if (value == JsonToken.VALUE_NUMBER_INT) {
                if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                    return p.getText() + " (out of range)";
                }
                integral = p.getLongValue();
                return null;
            }
            if (value == JsonToken.VALUE_NUMBER_FLOAT) {
                double d = p.getDoubleValue();
                if (d != Math.rint(d) || Math.abs(d) > MAX_EXACT_LONG) {
                    return p.getText();
                }
                integral = (long) d;
                return null;
            }
            return describe(value, p);
        }

        private void set(int i, long value) {
            state[i] = SET;
            bits[i] = value;
        }

        private byte[] encode() {
            builder.reset(eventTime);
            for (int i = 0; i < types.length; i++) {
                if (state[i] != SET) {
                    continue;
                }
                switch (types[i]) {
                    case STRING -> builder.setString(i, strings[i]);
                    case LONG, TIMESTAMP -> builder.setLong(i, bits[i]);
                    case DOUBLE -> builder.setDouble(i, Double.longBitsToDouble(bits[i]));
                    case BOOLEAN -> builder.setBoolean(i, bits[i] != 0);
                }
            }
            return builder.encode();
        }

        private String nulByte(int column) {
            return "malformed JSON: NUL byte at column " + column + " (a body must be UTF-8 JSON)";
        }

        private String tooLong(long size) {
            return "record of " + size + " bytes exceeds the limit of " + maxRecordBytes + " bytes";
        }
    }

    private static boolean isBlank(byte[] body, int from, int to) {
        for (int i = from; i < to; i++) {
            if (!isSpace(body[i])) {
                return false;
            }
        }
        return true;
    }

    /** A value for an error message: {@code string "abc"}, {@code 1.5}, {@code true}, {@code an object}. */
    private static String describe(JsonToken token, JsonParser p) throws IOException {
        return switch (token) {
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "string " + quote(p.getText());
            case VALUE_TRUE -> "true";
            case VALUE_FALSE -> "false";
            case VALUE_NULL -> "null";
            default -> p.getText();
        };
    }

    /** The kind of a JSON value: object, array, string, number, boolean, null; nothing at the end of input. */
    private static String kind(JsonToken token) {
        if (token == null) {
            return "nothing";
        }
        return switch (token) {
            case START_OBJECT -> "object";
            case START_ARRAY -> "array";
            case VALUE_STRING -> "string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "number";
            case VALUE_TRUE, VALUE_FALSE -> "boolean";
            case VALUE_NULL -> "null";
            default -> token.toString();
        };
    }

    /** A string as JSON, shortened to {@value #MAX_QUOTED_CHARS} characters. */
    private static String quote(String s) {
        String shown = s.length() > MAX_QUOTED_CHARS ? s.substring(0, MAX_QUOTED_CHARS) + "..." : s;
        return "\"" + new String(JsonStringEncoder.getInstance().quoteAsString(shown)) + "\"";
    }

    /** {@code malformed JSON: <parser message> (column 12)}, or {@code (line 3, column 12)} for an array. */
    private static String malformed(JsonProcessingException e, boolean withLine) {
        String message = e.getOriginalMessage();
        int marker = message.indexOf(" (start marker at ");
        if (marker >= 0) {
            message = message.substring(0, marker);
        }
        String where = e.getLocation() == null ? ""
                : withLine ? " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")"
                : " (column " + e.getLocation().getColumnNr() + ")";
        return "malformed JSON: " + message + where;
    }
}
