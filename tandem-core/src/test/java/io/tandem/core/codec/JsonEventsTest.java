package io.tandem.core.codec;

import io.tandem.core.BadEventPolicy;
import io.tandem.core.FieldDef;
import io.tandem.core.FieldType;
import io.tandem.core.StreamDef;
import io.tandem.core.UnknownFields;
import io.tandem.core.codec.JsonEvents.Format;
import io.tandem.core.codec.JsonEvents.RecordError;
import io.tandem.core.codec.JsonEvents.Result;
import io.tandem.core.time.TimeFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

class JsonEventsTest {

    static final StreamDef TRADES = new StreamDef("trades", "ts", 5_000, List.of(
            new FieldDef("symbol", FieldType.STRING),
            new FieldDef("price", FieldType.DOUBLE),
            new FieldDef("qty", FieldType.LONG),
            new FieldDef("ok", FieldType.BOOLEAN),
            new FieldDef("at", FieldType.TIMESTAMP)), UnknownFields.IGNORE);

    /** The arrival time every body of these tests is parsed at: 2026-12-01T00:00:00Z. */
    static final long ARRIVAL = 1_796_083_200_000L;

    private static final String FIELDS = "(fields: symbol, price, qty, ok, at)";

    private final JsonEvents events = new JsonEvents(TRADES);

    // ---- what is accepted --------------------------------------------------------------------------------

    @Test
    void ndjson_roundTripsEveryType() {
        Result result = parse("""
                {"ts":"2026-11-26T10:05:00Z","symbol":"ACME","price":12.5,"qty":300,"ok":true,"at":1000}
                {"ts":1795687500001,"symbol":"B","price":-0.25,"qty":-7,"ok":false,"at":"1970-01-01T00:00:02Z"}
                """);

        assertThat(result.format()).isEqualTo(Format.NDJSON);
        assertThat(result.errors()).isEmpty();
        assertThat(decode(result)).containsExactly(
                event(1_795_687_500_000L, "ACME", 12.5, 300L, true, 1000L),
                event(1_795_687_500_001L, "B", -0.25, -7L, false, 2000L));
    }

    @Test
    void array_roundTripsInOrder() {
        Result result = parse("""
                 [ {"ts": 1, "qty": 1},
                   {"ts": 2, "qty": 2} ]
                """);

        assertThat(result.format()).isEqualTo(Format.ARRAY);
        assertThat(result.format().positionKey()).isEqualTo("index");
        assertThat(result.errors()).isEmpty();
        assertThat(decode(result)).containsExactly(
                event(1, null, null, 1L, null, null),
                event(2, null, null, 2L, null, null));
    }

    @Test
    void nullAndMissingFields_areNull() {
        Result result = parse("""
                {"ts":5,"symbol":null,"price":null,"qty":null,"ok":null,"at":null}
                {"ts":6}
                """);

        assertThat(decode(result)).containsExactly(
                event(5, null, null, null, null, null),
                event(6, null, null, null, null, null));
    }

    @Test
    void timestampsBefore1970_areNegative() {
        Result result = parse("""
                {"ts":"1969-12-31T23:59:59.999Z","at":-86400000}
                {"ts":-1000,"at":"1969-12-31"}
                {"ts":"1970-01-01T00:00:00+01:00","at":"-5"}
                """);

        assertThat(result.errors()).isEmpty();
        assertThat(decode(result)).containsExactly(
                event(-1, null, null, null, null, -86_400_000L),
                event(-1000, null, null, null, null, -86_400_000L),
                event(-3_600_000, null, null, null, null, -5L));
    }

    @Test
    void unicodeStrings_survive() {
        String symbol = "Zürich ✓ 😀 \"quoted\" \\ \t";
        Result result = parse("{\"ts\":1,\"symbol\":\"Zürich \\u2713 \\ud83d\\ude00 \\\"quoted\\\" \\\\ \\t\"}");

        assertThat(decode(result)).containsExactly(event(1, symbol, null, null, null, null));
    }

    @Test
    void integralNumbersWrittenAsDecimals_fitALong() {
        Result result = parse("{\"ts\":2.0,\"qty\":5.0}\n{\"ts\":1e3,\"qty\":-0.0}");

        assertThat(result.errors()).isEmpty();
        assertThat(decode(result)).containsExactly(
                event(2, null, null, 5L, null, null),
                event(1000, null, null, 0L, null, null));
    }

    @Test
    void doubleField_acceptsIntegers() {
        assertThat(decode(parse("{\"ts\":1,\"price\":3}"))).containsExactly(event(1, null, 3.0, null, null, null));
    }

    @Test
    void blankLinesAndCrlf_areSkipped_andLinesStillCount() {
        Result result = parse("\r\n{\"ts\":1}\r\n   \r\n\t\n{\"ts\":\"x\"}\r\n{\"ts\":3}");

        assertThat(decode(result)).extracting(e -> e.get(0)).containsExactly(1L, 3L);
        assertThat(result.errors()).extracting(RecordError::line).containsExactly(5);
    }

    @Test
    void emptyBody_hasNoRecords() {
        assertThat(parse("").accepted()).isEmpty();
        assertThat(parse("\n\n").errors()).isEmpty();
        assertThat(parse("[]").errors()).isEmpty();
    }

    @Test
    void unknownFields_areSkippedUnderIgnore_whateverTheyHold() {
        Result result = parse("{\"extra\":{\"a\":[1,{\"b\":2}]},\"ts\":1,\"more\":[],\"qty\":2}");

        assertThat(result.errors()).isEmpty();
        assertThat(decode(result)).containsExactly(event(1, null, null, 2L, null, null));
    }

    @Test
    void timeFieldAlsoDeclared_isStoredAsAFieldToo() {
        StreamDef stream = new StreamDef("s", "ts", 0, List.of(
                new FieldDef("ts", FieldType.TIMESTAMP), new FieldDef("n", FieldType.LONG)), UnknownFields.REJECT);
        JsonEvents parser = new JsonEvents(stream);

        Result result = parser.parse(bytes("{\"n\":1,\"ts\":\"1970-01-01T00:00:01Z\"}"), ARRIVAL);

        BinaryRow row = new RowCodec(stream).reader().reset(result.accepted().get(0), 0,
                result.accepted().get(0).length, 0, 0);
        assertThat(row.eventTime()).isEqualTo(1000L);
        assertThat(row.get(0)).isEqualTo(1000L);
        assertThat(row.get(1)).isEqualTo(1L);
    }

    @Test
    void byteOrderMark_isIgnored() {
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
        byte[] body = concat(bom, bytes("[{\"ts\":1}]"));

        Result result = events.parse(body, ARRIVAL);

        assertThat(result.format()).isEqualTo(Format.ARRAY);
        assertThat(result.accepted()).hasSize(1);
    }

    @Test
    void aSliceOfABuffer_isParsed() {
        byte[] body = bytes("xx{\"ts\":7}yy");

        assertThat(events.parse(body, 2, body.length - 4, ARRIVAL).accepted()).hasSize(1);
    }

    @Test
    void aStringField_takesNumbersAndBooleansAsTheirText() {
        Result r = events.parse(bytes("{\"ts\":1,\"symbol\":42}\n{\"ts\":1,\"symbol\":false}\n"
                + "{\"ts\":1,\"symbol\":1.50}"), ARRIVAL);

        assertThat(r.errors()).isEmpty();
        assertThat(r.accepted()).hasSize(3);
        BinaryRow row = new RowCodec(TRADES).reader();
        byte[] first = r.accepted().get(0);
        byte[] third = r.accepted().get(2);
        assertThat(row.reset(first, 0, first.length, 0, 0).getString(TRADES.indexOf("symbol"))).isEqualTo("42");
        assertThat(row.reset(third, 0, third.length, 0, 0).getString(TRADES.indexOf("symbol"))).isEqualTo("1.50");
    }

    // ---- what is rejected, and how it is said --------------------------------------------------------------

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            {"ts":1,"price":"abc"} | price: expected double, got string "abc"
            {"ts":1,"price":true} | price: expected double, got true
            {"ts":1,"price":1e400} | price: expected double, got 1e400 (out of range)
            {"ts":1,"qty":1.5} | qty: expected long, got 1.5
            {"ts":1,"qty":"42"} | qty: expected long, got string "42"
            {"ts":1,"qty":99999999999999999999} | qty: expected long, got 99999999999999999999 (out of range)
            {"ts":1,"qty":1e300} | qty: expected long, got 1e300
            {"ts":1,"ok":"yes"} | ok: expected boolean, got string "yes"
            {"ts":1,"ok":1} | ok: expected boolean, got 1
            {"ts":1,"symbol":{"a":1}} | symbol: expected string, got an object
            {"ts":1,"price":[1,2]} | price: expected double, got an array
            {"ts":1,"at":"soon"} | at: expected an ISO-8601 timestamp or epoch milliseconds, got "soon"
            {"symbol":"A"} | ts: missing event time
            {"ts":null} | ts: missing event time
            {"ts":"yesterday"} | ts: expected an ISO-8601 timestamp or epoch milliseconds, got "yesterday"
            {"ts":1.5} | ts: expected an ISO-8601 timestamp or epoch milliseconds, got 1.5
            {"ts":true} | ts: expected an ISO-8601 timestamp or epoch milliseconds, got true
            {"ts":{}} | ts: expected an ISO-8601 timestamp or epoch milliseconds, got an object
            {"ts":1,"qty":1,"qty":2} | qty: duplicate field
            {"ts":1,"ts":2} | ts: duplicate field
            [1,2] | expected a JSON object, got array
            "event" | expected a JSON object, got string
            42 | expected a JSON object, got number
            {"ts":1} {"ts":2} | expected one JSON object per line, got more after it
            """)
    void badRecord_isRejectedWithItsError(String line, String error) {
        Result result = parse("{\"ts\":0}\n" + line + "\n{\"ts\":0}\n");

        assertThat(result.errors()).containsExactly(new RecordError(2, error));
        assertThat(result.accepted()).hasSize(2);
    }

    @Test
    void malformedLine_quotesTheParserWithTheColumn() {
        Result result = parse("{\"ts\":1,}\n{\"ts\":1\n{\"ts\":1}x\n{\"ts\":2}");

        assertThat(result.errors()).extracting(RecordError::error).containsExactly(
                "malformed JSON: Unexpected character ('}' (code 125)): "
                        + "was expecting double-quote to start field name (column 9)",
                "malformed JSON: Unexpected end-of-input: expected close marker for Object (column 8)",
                "malformed JSON: Unrecognized token 'x': was expecting "
                        + "(JSON String, Number, Array, Object or token 'null', 'true' or 'false') (column 9)");
        assertThat(result.accepted()).hasSize(1);
    }

    @Test
    void firstErrorOfARecord_isTheOneReported() {
        assertThat(parse("{\"qty\":\"x\",\"price\":\"y\"}").errors())
                .containsExactly(new RecordError(1, "qty: expected long, got string \"x\""));
    }

    @Test
    void longStrings_areShortenedInErrors() {
        String value = "x".repeat(100);

        assertThat(parse("{\"ts\":1,\"qty\":\"" + value + "\"}").errors()).singleElement()
                .extracting(RecordError::error)
                .isEqualTo("qty: expected long, got string \"" + "x".repeat(64) + "...\"");
    }

    @Test
    void unknownField_underReject_namesItAndTheDeclaredFields() {
        StreamDef strict = new StreamDef("trades", "ts", 0, TRADES.fields(), UnknownFields.REJECT);

        Result result = new JsonEvents(strict).parse(bytes("{\"ts\":1,\"foo\":1}\n{\"ts\":2}"), ARRIVAL);

        assertThat(result.errors()).containsExactly(new RecordError(1, "unknown field 'foo' " + FIELDS));
        assertThat(result.accepted()).hasSize(1);
    }

    @Test
    void hugeLine_isRejectedBySize_andTheNextLineStillParses() {
        String huge = "{\"ts\":1,\"symbol\":\"" + "a".repeat(2 << 20) + "\"}";
        int size = huge.length();

        Result result = parse(huge + "\n{\"ts\":2}\r\n");

        assertThat(result.errors()).containsExactly(
                new RecordError(1, "record of " + size + " bytes exceeds the limit of 1048576 bytes"));
        assertThat(decode(result)).containsExactly(event(2, null, null, null, null, null));
    }

    @Test
    void recordLimit_isConfigurable_andCountsBytesNotChars() {
        JsonEvents small = new JsonEvents(TRADES, 21);
        String accented = "{\"ts\":1,\"symbol\":\"é\"}";
        assertThat(accented).hasSize(21);

        Result result = small.parse(bytes("{\"ts\":1,\"qty\":12}\n" + accented), ARRIVAL);

        assertThat(result.accepted()).hasSize(1);
        assertThat(result.errors()).containsExactly(
                new RecordError(2, "record of 22 bytes exceeds the limit of 21 bytes"));
    }

    @Test
    void array_rejectsBadElementsByIndex_andKeepsTheRest() {
        Result result = parse("""
                [{"ts":1}, 5, {"ts":"x"}, {"ts":2, "price":{"nested":[1]}}, [], {"ts":3}]""");

        assertThat(result.errors()).extracting(RecordError::line, RecordError::error).containsExactly(
                tuple(1, "expected a JSON object, got number"),
                tuple(2, "ts: expected an ISO-8601 timestamp or epoch milliseconds, got \"x\""),
                tuple(3, "price: expected double, got an object"),
                tuple(4, "expected a JSON object, got array"));
        assertThat(decode(result)).extracting(e -> e.get(0)).containsExactly(1L, 3L);
    }

    @Test
    void array_malformedJson_stopsAtTheIndexWhereItHappened() {
        Result result = parse("[{\"ts\":1},\n {\"ts\":2},\n {\"ts\" 3}, {\"ts\":4}]");

        assertThat(result.errors()).containsExactly(new RecordError(2,
                "malformed JSON: Unexpected character ('3' (code 51)): "
                        + "was expecting a colon to separate field name and value (line 3, column 8)"));
        assertThat(result.accepted()).hasSize(2);
    }

    @Test
    void array_contentAfterIt_isAnError() {
        Result result = parse("[{\"ts\":1}] {\"ts\":2}");

        assertThat(result.errors()).containsExactly(new RecordError(1, "expected nothing after the array, got object"));
        assertThat(result.accepted()).hasSize(1);
    }

    @Test
    void array_elementOverTheLimit_isRejected() {
        String body = "[{\"ts\":1,\"symbol\":\"0123456789abcdef\"},{\"ts\":2}]";

        Result result = new JsonEvents(TRADES, 30).parse(bytes(body), ARRIVAL);

        assertThat(result.errors()).containsExactly(
                new RecordError(0, "record of 36 bytes exceeds the limit of 30 bytes"));
        assertThat(result.accepted()).hasSize(1);
    }

    // ---- event-time bounds ---------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            {"ts":"2099-01-01T00:00:00Z"} | ts: 2099-01-01T00:00:00Z is after the stream's max_future bound \
            2026-12-01T01:00:00Z (arrival 2026-12-01T00:00:00Z + 1h)
            {"ts":9223372036854775807} | ts: +292278994-08-17T07:12:55.807Z is after the stream's max_future bound \
            2026-12-01T01:00:00Z (arrival 2026-12-01T00:00:00Z + 1h)
            {"ts":1796086800001} | ts: 2026-12-01T01:00:00.001Z is after the stream's max_future bound \
            2026-12-01T01:00:00Z (arrival 2026-12-01T00:00:00Z + 1h)
            {"ts":"0001-01-01T00:00:00Z"} | ts: 0001-01-01T00:00:00Z is before the stream's min_time \
            1900-01-01T00:00:00Z
            {"ts":"-0001-06-01T00:00:00Z"} | ts: -0001-06-01T00:00:00Z is before the stream's min_time \
            1900-01-01T00:00:00Z
            {"ts":-9223372036854775808} | ts: -292275055-05-16T16:47:04.192Z is before the stream's min_time \
            1900-01-01T00:00:00Z
            {"ts":"1899-12-31T23:59:59.999Z"} | ts: 1899-12-31T23:59:59.999Z is before the stream's min_time \
            1900-01-01T00:00:00Z
            """)
    void eventTimeOutsideTheStreamsBounds_isRejectedNamingTheValueAndTheBound(String line, String error) {
        Result result = parse("{\"ts\":0}\n" + line + "\n{\"ts\":0}\n");

        assertThat(result.errors()).containsExactly(new RecordError(2, error));
        assertThat(result.accepted()).hasSize(2);
    }

    @Test
    void eventTimesOnTheBounds_areAccepted() {
        Result result = parse("{\"ts\":\"1900-01-01T00:00:00Z\"}\n{\"ts\":\"2026-12-01T01:00:00Z\"}\n"
                + "{\"ts\":\"1969-07-20T20:17:40Z\"}");

        assertThat(result.errors()).isEmpty();
        assertThat(decode(result)).extracting(e -> e.get(0))
                .containsExactly(-2_208_988_800_000L, ARRIVAL + 3_600_000L, -14_182_940_000L);
    }

    @Test
    void theBounds_areTheStreams() {
        StreamDef wide = new StreamDef("trades", "ts", 0, TRADES.fields(), UnknownFields.IGNORE, 86_400_000L,
                Long.MIN_VALUE, BadEventPolicy.DEAD_LETTER);

        Result result = new JsonEvents(wide).parse(bytes("{\"ts\":\"0001-01-01T00:00:00Z\"}\n"
                + "{\"ts\":\"2026-12-01T23:00:00Z\"}\n{\"ts\":\"2026-12-02T00:00:00.001Z\"}"), ARRIVAL);

        assertThat(result.errors()).containsExactly(new RecordError(3, "ts: 2026-12-02T00:00:00.001Z is after the "
                + "stream's max_future bound 2026-12-02T00:00:00Z (arrival 2026-12-01T00:00:00Z + 1d)"));
        assertThat(result.accepted()).hasSize(2);
    }

    @Test
    void aMaxFutureThatOverflowsTheArrival_boundsNothingInTheFuture() {
        StreamDef open = new StreamDef("trades", "ts", 0, TRADES.fields(), UnknownFields.IGNORE, Long.MAX_VALUE,
                Long.MIN_VALUE, BadEventPolicy.DEAD_LETTER);

        Result result = new JsonEvents(open).parse(bytes("{\"ts\":9223372036854775807}"), ARRIVAL);

        assertThat(result.errors()).isEmpty();
        assertThat(result.accepted()).hasSize(1);
    }

    // ---- bytes that are not UTF-8 JSON, and values out of every range ------------------------------------

    @Test
    void aLineThatLooksLikeUtf32_isOneMalformedRecord_andTheOthersAreKept() {
        byte[] body = concat(bytes("{\"ts\":1}\n"), new byte[] {0, 0, 0, '{', (byte) 0x83, 2, 1, 0, '\n'},
                bytes("{\"ts\":2}\n"));

        Result result = events.parse(body, ARRIVAL);

        assertThat(result.errors()).containsExactly(
                new RecordError(2, "malformed JSON: NUL byte at column 1 (a body must be UTF-8 JSON)"));
        assertThat(decode(result)).extracting(e -> e.get(0)).containsExactly(1L, 2L);
    }

    @Test
    void aBodyThatLooksLikeUtf32_isOneMalformedRecord() {
        Result result = events.parse(new byte[] {0, 0, 0, '{', (byte) 0x83, 2, 1, 0, '\n'}, ARRIVAL);

        assertThat(result.errors()).containsExactly(
                new RecordError(1, "malformed JSON: NUL byte at column 1 (a body must be UTF-8 JSON)"));
        assertThat(result.accepted()).isEmpty();
    }

    @Test
    void anArrayThatLooksLikeUtf16_isMalformedAtIndexZero() {
        Result result = events.parse(new byte[] {'[', 0, '{', 0, '}', 0, ']', 0}, ARRIVAL);

        assertThat(result.format()).isEqualTo(Format.ARRAY);
        assertThat(result.errors()).containsExactly(
                new RecordError(0, "malformed JSON: NUL byte at column 2 (a body must be UTF-8 JSON)"));
    }

    @Test
    void invalidUtf8_isOneMalformedRecord() {
        byte[] body = concat(new byte[] {'{', '"', 't', 's', '"', ':', '"', (byte) 0xC3, '(', '"', '}', '\n'},
                bytes("{\"ts\":3}"));

        Result result = events.parse(body, ARRIVAL);

        assertThat(result.errors()).singleElement().satisfies(e -> {
            assertThat(e.line()).isEqualTo(1);
            assertThat(e.error()).startsWith("malformed JSON: Invalid UTF-8 middle byte");
        });
        assertThat(result.accepted()).hasSize(1);
    }

    private static final String OUT_OF_RANGE = " is out of range (epoch milliseconds must fit a long: "
            + "-292275055-05-16T16:47:04.192Z .. +292278994-08-17T07:12:55.807Z)";

    @Test
    void aYearPastWhatALongHolds_isRejectedAsOutOfRange() {
        Result result = parse("{\"ts\":\"+1000000000-12-31T23:59:59Z\"}\n{\"ts\":1}\n"
                + "{\"ts\":1,\"at\":\"-1000000000-01-01T00:00:00Z\"}");

        assertThat(result.errors()).extracting(RecordError::line, RecordError::error).containsExactly(
                tuple(1, "ts: timestamp \"+1000000000-12-31T23:59:59Z\"" + OUT_OF_RANGE),
                tuple(3, "at: timestamp \"-1000000000-01-01T00:00:00Z\"" + OUT_OF_RANGE));
        assertThat(result.accepted()).hasSize(1);
    }

    @Test
    void aStreamWithATimeFormat_readsItsTimesInThatFormat_andNamesTheFormatInErrors() {
        StreamDef seconds = new StreamDef("trades", "ts", 5_000, TRADES.fields(), UnknownFields.IGNORE,
                StreamDef.DEFAULT_MAX_FUTURE_MS, StreamDef.DEFAULT_MIN_TIME_MS, BadEventPolicy.DEAD_LETTER,
                TimeFormat.of("epoch_s", ZoneOffset.UTC));
        Result result = new JsonEvents(seconds).parse(bytes("""
                {"ts":1795687500,"qty":1}
                {"ts":"1795687500.25","qty":2}
                {"ts":1795687500.5,"qty":3,"at":"2026-11-26T10:05:00Z"}
                {"ts":"2026-11-26T10:05:00Z","qty":4}
                {"ts":true,"qty":5}
                """), ARRIVAL);

        assertThat(decode(result)).containsExactly(
                event(1_795_687_500_000L, null, null, 1L, null, null),
                event(1_795_687_500_250L, null, null, 2L, null, null),
                event(1_795_687_500_500L, null, null, 3L, null, 1_795_687_500_000L));
        assertThat(result.errors()).extracting(RecordError::line, RecordError::error).containsExactly(
                tuple(4, "ts: expected epoch seconds, got \"2026-11-26T10:05:00Z\""),
                tuple(5, "ts: expected epoch seconds, got true"));
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    private Result parse(String body) {
        return events.parse(bytes(body), ARRIVAL);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** An event as a list: event time, then the fields of {@link #TRADES} in order. */
    static List<Object> event(long ts, String symbol, Double price, Long qty, Boolean ok, Long at) {
        return Arrays.asList(ts, symbol, price, qty, ok, at);
    }

    static List<List<Object>> decode(Result result) {
        BinaryRow row = new RowCodec(TRADES).reader();
        List<List<Object>> events = new ArrayList<>();
        for (byte[] payload : result.accepted()) {
            row.reset(payload, 0, payload.length, 0, 0);
            List<Object> event = new ArrayList<>();
            event.add(row.eventTime());
            for (int i = 0; i < TRADES.fields().size(); i++) {
                event.add(row.get(i));
            }
            events.add(event);
        }
        return events;
    }
}
