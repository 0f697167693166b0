package io.tandem.core.codec;

import io.tandem.core.StreamDef;
import io.tandem.core.codec.JsonEvents.Format;
import io.tandem.core.codec.JsonEvents.RecordError;
import io.tandem.core.codec.JsonEvents.Result;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static io.tandem.core.codec.JsonEventsTest.ARRIVAL;
import static io.tandem.core.codec.JsonEventsTest.TRADES;
import static io.tandem.core.codec.JsonEventsTest.decode;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Parsing is total: arbitrary bytes and arbitrary near-JSON lines give accepted records and per-record errors,
 * never an exception; every accepted record decodes and lies within the stream's time bounds; in NDJSON each
 * non-blank line is exactly one of the two, and a valid line beside bad ones is kept.
 */
class JsonEventsFuzzTest {

    private static final String VALID = "{\"ts\":\"2026-11-30T12:00:00Z\",\"symbol\":\"OK\",\"qty\":1}";
    private final JsonEvents events = new JsonEvents(TRADES);

    @Property(tries = 500)
    void arbitraryBytes_giveOnlyPerRecordErrors(@ForAll("bodies") byte[] body) {
        Result result = events.parse(body, ARRIVAL);

        assertWellFormed(result, body);
    }

    @Property(tries = 500)
    void arbitraryLines_giveOnePerLineOutcome_andTheValidLineIsKept(@ForAll("lines") List<String> lines) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes((VALID + "\n").getBytes(StandardCharsets.UTF_8));
        for (String line : lines) {
            out.writeBytes((line.replace('\n', ' ') + "\n").getBytes(StandardCharsets.UTF_8));
        }
        byte[] body = out.toByteArray();

        Result result = events.parse(body, ARRIVAL);

        assertWellFormed(result, body);
        assertThat(result.format()).isEqualTo(Format.NDJSON);
        long nonBlank = 1 + lines.stream().filter(l -> !l.chars().allMatch(c -> c == ' ' || c == '\t'
                || c == '\r' || c == '\n')).count();
        assertThat(result.accepted().size() + result.errors().size()).isEqualTo(nonBlank);
        assertThat(result.errors()).extracting(RecordError::line).doesNotContain(1);
        assertThat(decode(result).get(0)).element(1).isEqualTo("OK");
    }

    @Property(tries = 300)
    void arbitraryArrays_giveOnlyPerRecordErrors(@ForAll("lines") List<String> elements) {
        byte[] body = ("[" + String.join(",", elements) + "]").getBytes(StandardCharsets.UTF_8);

        assertWellFormed(events.parse(body, ARRIVAL), body);
    }

    private static void assertWellFormed(Result result, byte[] body) {
        assertThat(result.errors()).allSatisfy(e -> {
            assertThat(e.error()).isNotBlank();
            assertThat(e.line()).isBetween(0, body.length + 1);
        });
        for (List<Object> event : decode(result)) {
            assertThat((Long) event.get(0)).isBetween(StreamDef.DEFAULT_MIN_TIME_MS,
                    ARRIVAL + StreamDef.DEFAULT_MAX_FUTURE_MS);
        }
    }

    @Provide
    Arbitrary<byte[]> bodies() {
        Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(200);
        Arbitrary<byte[]> prefixed = Arbitraries.of(new byte[] {0, 0, 0, '{'}, new byte[] {'{', 0},
                        new byte[] {(byte) 0xFE, (byte) 0xFF}, new byte[] {(byte) 0xFF, (byte) 0xFE, 0, 0},
                        new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, '['}, new byte[] {'['},
                        new byte[] {0, '['})
                .flatMap(prefix -> random.map(rest -> concat(prefix, rest)));
        Arbitrary<byte[]> mutated = lines().map(l -> String.join("\n", l).getBytes(StandardCharsets.UTF_8))
                .flatMap(b -> Arbitraries.integers().between(0, Math.max(0, b.length - 1))
                        .flatMap(at -> Arbitraries.bytes().map(x -> mutate(b, at, x))));
        return Arbitraries.oneOf(random, prefixed, mutated);
    }

    /** Lines made of JSON pieces: valid events, and values of every type and range in the time field. */
    @Provide
    Arbitrary<List<String>> lines() {
        Arbitrary<String> time = Arbitraries.oneOf(
                Arbitraries.longs().map(String::valueOf),
                Arbitraries.of("9223372036854775807", "-9223372036854775808", "9223372036854775808", "1e400",
                        "-0.0", "1.5", "\"+1000000000-12-31T23:59:59Z\"", "\"-1000000000-01-01T00:00:00Z\"",
                        "\"0001-01-01T00:00:00Z\"", "\"-0001-01-01T00:00:00Z\"", "\"2099-01-01T00:00:00Z\"",
                        "\"2026-11-30\"", "\"2026-11-30T12:00:00+14:00\"", "\"99999999999999999999\"", "\"-\"",
                        "\"\"", "null", "true", "{}", "[]", "\"\\u0000\""),
                Arbitraries.strings().ofMaxLength(30).map(s -> "\"" + s.replace("\\", "").replace("\"", "") + "\""));
        Arbitrary<String> value = Arbitraries.oneOf(time, Arbitraries.strings().ofMaxLength(10)
                .map(s -> "\"" + s.replace("\\", "").replace("\"", "") + "\""));
        Arbitrary<String> field = Arbitraries.of("symbol", "price", "qty", "ok", "at", "other", "ts");
        Arbitrary<String> event = Arbitraries.oneOf(
                time.map(t -> "{\"ts\":" + t + "}"),
                Arbitraries.entries(field, value).list().ofMaxSize(4).flatMap(props -> time.map(t -> {
                    StringBuilder b = new StringBuilder("{\"ts\":").append(t);
                    props.forEach(p -> b.append(",\"").append(p.getKey()).append("\":").append(p.getValue()));
                    return b.append('}').toString();
                })));
        Arbitrary<String> junk = Arbitraries.strings().ofMaxLength(40);
        Arbitrary<String> cut = event.flatMap(e -> Arbitraries.integers().between(0, e.length())
                .map(n -> e.substring(0, n)));
        return Arbitraries.oneOf(event, event, junk, cut, Arbitraries.of(VALID, "", " ", "[", "]", "{", "}"))
                .list().ofMaxSize(12);
    }

    private static byte[] mutate(byte[] body, int at, byte value) {
        byte[] copy = body.clone();
        if (copy.length > 0) {
            copy[at] = value;
        }
        return copy;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(a);
        out.writeBytes(b);
        return out.toByteArray();
    }
}
