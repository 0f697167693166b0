package io.tandem.engine.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tandem.core.FieldDef;
import io.tandem.core.FieldType;
import io.tandem.core.MeasureDef;
import io.tandem.core.StreamDef;
import io.tandem.core.TandemConfig;
import io.tandem.core.UnknownFields;
import io.tandem.core.ViewDef;
import io.tandem.engine.Tandem;
import io.tandem.engine.TandemOptions;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * {@link IngestService} under arbitrary bodies and reused idempotency keys, against a plain reference: every
 * non-blank NDJSON line is one accepted or one rejected record; a body with none is {@code NO_EVENTS}; a key
 * gets its first durable response for the same body and {@code KEY_REUSED} for another; nothing else escapes.
 */
class IngestFuzzTest {

    private static final long T = Instant.parse("2026-12-01T00:00:00Z").toEpochMilli();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String VALID = "{\"ts\":\"2026-11-30T23:59:00Z\",\"symbol\":\"OK\",\"qty\":1}";

    private static Path dir;
    private static Tandem tandem;
    /** The reference: key → the body and response of its first request that appended anything. */
    private static final Map<String, Map.Entry<byte[], String>> KEYS = new HashMap<>();

    @BeforeContainer
    static void start() throws IOException {
        dir = Files.createTempDirectory("ingest-fuzz");
        StreamDef trades = new StreamDef("trades", "ts", 5_000, List.of(new FieldDef("symbol", FieldType.STRING),
                new FieldDef("qty", FieldType.LONG)), UnknownFields.IGNORE);
        ViewDef view = new ViewDef("n", "trades", List.of("symbol"), 60_000, null,
                Map.of("n", new MeasureDef("n", "count", null, null, null)));
        tandem = Tandem.start(new TandemConfig(3_600_000, Map.of("trades", trades), Map.of("n", view)),
                TandemOptions.defaults(dir).withPartitions(2).withClock(() -> T));
    }

    @AfterContainer
    static void stop() throws IOException {
        tandem.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Property(tries = 300)
    void arbitraryLines_areOneOutcomeEach(@ForAll("lines") List<String> lines, @ForAll("keys") String key)
            throws IOException {
        byte[] body = (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);
        boolean array = String.join("\n", lines).replaceFirst("^\uFEFF?[ \t\r\n]*", "").startsWith("[");
        long records = array ? -1 : lines.stream()
                .filter(l -> !l.chars().allMatch(c -> c == ' ' || c == '\t' || c == '\r')).count();

        check(body, key, records);
    }

    @Property(tries = 300)
    void arbitraryBytes_giveAResponseOrAnIngestException(@ForAll("bodies") byte[] body, @ForAll("keys") String key)
            throws IOException {
        check(body, key, -1);
    }

    /** @param records the number of records the body holds when known, else -1 */
    private static void check(byte[] body, String key, long records) throws IOException {
        var first = key == null ? null : KEYS.get(key);
        if (first != null) {
            if (Arrays.equals(first.getKey(), body)) {
                assertThat(tandem.ingest("trades", body, key).json()).isEqualTo(first.getValue());
            } else {
                IngestException e = catchThrowableOfType(IngestException.class,
                        () -> tandem.ingest("trades", body, key));
                assertThat(e.kind()).isEqualTo(IngestException.Kind.KEY_REUSED);
                assertThat(e.getMessage()).contains("'" + key + "'");
            }
            return;
        }
        if (records == 0) {
            IngestException e = catchThrowableOfType(IngestException.class, () -> tandem.ingest("trades", body, key));
            assertThat(e.kind()).isEqualTo(IngestException.Kind.NO_EVENTS);
            return;
        }
        IngestResponse r;
        try {
            r = tandem.ingest("trades", body, key);
        } catch (IngestException e) {
            assertThat(e.kind()).isEqualTo(IngestException.Kind.NO_EVENTS);
            return;
        }
        if (records > 0) {
            assertThat(r.accepted() + r.rejected()).isEqualTo(records);
        } else {
            assertThat(r.accepted() + r.rejected()).isPositive();
        }
        JsonNode json = JSON.readTree(r.json());
        assertThat(json.get("accepted").asLong()).isEqualTo(r.accepted());
        assertThat(r.errors()).allSatisfy(e -> assertThat(e.error()).isNotBlank());
        if (key != null && r.accepted() > 0) {
            KEYS.put(key, Map.entry(body, r.json()));
        }
    }

    @Provide
    Arbitrary<String> keys() {
        return Arbitraries.of("k1", "k2", "k3").injectNull(0.5);
    }

    @Provide
    Arbitrary<byte[]> bodies() {
        Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(120);
        return Arbitraries.oneOf(random, random.map(b -> {
            byte[] valid = (VALID + "\n").getBytes(StandardCharsets.UTF_8);
            byte[] out = Arrays.copyOf(valid, valid.length + b.length);
            System.arraycopy(b, 0, out, valid.length, b.length);
            return out;
        }), Arbitraries.of(new byte[] {0, 0, 0, '{', (byte) 0x83, 2, 1, 0, '\n'}, "[]".getBytes(), " ".getBytes()));
    }

    @Provide
    Arbitrary<List<String>> lines() {
        Arbitrary<String> time = Arbitraries.oneOf(Arbitraries.longs().map(String::valueOf),
                Arbitraries.of("\"+1000000000-12-31T23:59:59Z\"", "\"2099-01-01T00:00:00Z\"", "\"0001-01-01\"",
                        "\"-0001-01-01T00:00:00Z\"", "9223372036854775807", "\"2026-11-30T12:00:00Z\"", "null"));
        Arbitrary<String> event = time.map(t -> "{\"ts\":" + t + ",\"symbol\":\"S\",\"qty\":1}");
        Arbitrary<String> junk = Arbitraries.strings().ofMaxLength(30).map(s -> s.replace('\n', ' '));
        return Arbitraries.oneOf(event, junk, Arbitraries.of(VALID, "", "[]", "{}")).list().ofMaxSize(8);
    }
}
