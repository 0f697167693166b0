package io.tandem.spi.store;


import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The idempotency marker's binary form, against golden files: {@code golden/marker/with-digest.bin} is today's
 * form; {@code golden/marker/without-digest.bin} is the form written before digests were kept (the same bytes as
 * the idempotency entry inside {@code golden/checkpoint-v1/s/0.ckpt}, which that version of the store wrote).
 */
class IdempotencyRecordTest {

    private static final String RESPONSE = "{\"accepted\":2,\"rejected\":0,\"errors\":[]}";
    private static final byte[] BODY = "{\"k\":\"a\",\"ts\":1}".getBytes(StandardCharsets.UTF_8);
    /** {@code printf 's\0{"k":"a","ts":1}' | sha256sum}. */
    private static final String DIGEST = "9d55fe5571ff69c6f800b1dc0ee718fc375f37af645c05bbc9ac7111b7abdcb5";
    private static final IdempotencyRecord GOLDEN = new IdempotencyRecord("retry-1", 1_795_687_500_000L, RESPONSE,
            DIGEST);

    @Test
    void theDigest_isTheSha256OfTheStreamANulAndTheBody() {
        assertThat(IdempotencyRecord.digest("s", BODY)).isEqualTo(DIGEST);
        assertThat(IdempotencyRecord.digest("t", BODY)).isNotEqualTo(DIGEST);
    }

    @Test
    void theGoldenMarker_readsBack_andIsWhatIsWrittenToday() throws IOException {
        byte[] golden = resource("/golden/marker/with-digest.bin");

        assertThat(IdempotencyRecord.fromBytes(golden, 0, golden.length)).isEqualTo(GOLDEN);
        assertThat(GOLDEN.toBytes()).isEqualTo(golden);
    }

    @Test
    void aMarkerWrittenBeforeDigests_readsBackWithNone_andConflictsWithNothing() throws IOException {
        byte[] old = resource("/golden/marker/without-digest.bin");
        byte[] framed = new byte[old.length + 6];
        System.arraycopy(old, 0, framed, 3, old.length);

        IdempotencyRecord r = IdempotencyRecord.fromBytes(framed, 3, old.length);

        assertThat(r).isEqualTo(new IdempotencyRecord("retry-1", 1_795_687_500_000L, RESPONSE, null));
        assertThat(r.conflictsWith(DIGEST)).isFalse();
    }

    @Test
    void aRecordWithADigest_conflictsWithAnyOtherDigest() {
        assertThat(GOLDEN.conflictsWith(DIGEST)).isFalse();
        assertThat(GOLDEN.conflictsWith(IdempotencyRecord.digest("s", new byte[0]))).isTrue();
    }

    @Test
    void aRecordWithoutADigest_roundTrips() {
        IdempotencyRecord none = new IdempotencyRecord("k", -1, "{}", null);
        byte[] bytes = none.toBytes();

        assertThat(IdempotencyRecord.fromBytes(bytes, 0, bytes.length)).isEqualTo(none);
    }

    @Test
    void aMalformedDigest_isRefused() {
        assertThatThrownBy(() -> new IdempotencyRecord("k", 0, "{}", "abc"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("\"abc\"");
    }

    /** Writes the golden marker again: run with {@code -Dtandem.golden.write=true} after a deliberate change. */
    @Test
    void writeGoldenMarker() throws IOException {
        Assumptions.assumeTrue(Boolean.getBoolean("tandem.golden.write"));
        Files.write(Path.of("src/test/resources/golden/marker/with-digest.bin"), GOLDEN.toBytes());
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = IdempotencyRecordTest.class.getResourceAsStream(name)) {
            assertThat(in).as(name).isNotNull();
            return in.readAllBytes();
        }
    }
}
