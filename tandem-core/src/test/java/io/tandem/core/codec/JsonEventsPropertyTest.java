package io.tandem.core.codec;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.tandem.core.StreamDef;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.List;

import static io.tandem.core.codec.JsonEventsTest.ARRIVAL;
import static io.tandem.core.codec.JsonEventsTest.TRADES;
import static io.tandem.core.codec.JsonEventsTest.decode;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Any valid events within the stream's time bounds, written as NDJSON or as an array, parse and decode back to
 * exactly what was written.
 */
class JsonEventsPropertyTest {

    private static final JsonFactory JSON = new JsonFactory();
    private final JsonEvents events = new JsonEvents(JsonEventsTest.TRADES);

    @Property(tries = 200)
    void validEvents_roundTrip(@ForAll("batches") List<List<Object>> batch, @ForAll boolean asArray)
            throws IOException {
        JsonEvents.Result result = events.parse(write(batch, asArray), ARRIVAL);

        assertThat(result.errors()).isEmpty();
        assertThat(decode(result)).isEqualTo(batch);
    }

    @Provide
    Arbitrary<List<List<Object>>> batches() {
        Arbitrary<Long> time = Arbitraries.longs().between(StreamDef.DEFAULT_MIN_TIME_MS,
                ARRIVAL + StreamDef.DEFAULT_MAX_FUTURE_MS);
        Arbitrary<String> symbol = Arbitraries.strings()
                .withCharRange('\u0000', '\uD7FF').withCharRange('\uE000', '\uFFFF').ofMaxLength(12)
                .injectNull(0.2);
        Arbitrary<Double> price = Arbitraries.doubles().filter(Double::isFinite).injectNull(0.2);
        Arbitrary<Long> qty = Arbitraries.longs().injectNull(0.2);
        Arbitrary<Boolean> ok = Arbitraries.of(true, false).injectNull(0.2);
        Arbitrary<Long> at = Arbitraries.longs().injectNull(0.2);
        return Combinators.combine(time, symbol, price, qty, ok, at)
                .as(JsonEventsTest::event)
                .list().ofMaxSize(20);
    }

    /** Writes each event with its time first or last, and its null fields as null or left out, by turns. */
    private static byte[] write(List<List<Object>> batch, boolean asArray) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.setRootValueSeparator(null);
            if (asArray) {
                g.writeStartArray();
            }
            for (int n = 0; n < batch.size(); n++) {
                List<Object> e = batch.get(n);
                boolean variant = n % 2 == 0;
                g.writeStartObject();
                if (variant) {
                    g.writeNumberField("ts", (Long) e.get(0));
                }
                for (int i = 0; i < TRADES.fields().size(); i++) {
                    Object value = e.get(i + 1);
                    if (value != null || variant) {
                        g.writeFieldName(TRADES.field(i).name());
                        writeValue(g, value);
                    }
                }
                if (!variant) {
                    g.writeStringField("ts", Instant.ofEpochMilli((Long) e.get(0)).toString());
                }
                g.writeEndObject();
                if (!asArray) {
                    g.writeRaw('\n');
                }
            }
            if (asArray) {
                g.writeEndArray();
            }
        }
        return out.toByteArray();
    }

    private static void writeValue(JsonGenerator g, Object value) throws IOException {
        if (value == null) {
            g.writeNull();
        } else if (value instanceof String s) {
            g.writeString(s);
        } else if (value instanceof Double d) {
            g.writeNumber(d);
        } else if (value instanceof Long l) {
            g.writeNumber(l);
        } else {
            g.writeBoolean((Boolean) value);
        }
    }
}
