package io.tandem.core.codec;

import io.tandem.core.FieldDef;
import io.tandem.core.FieldType;
import io.tandem.core.StreamDef;
import io.tandem.core.UnknownFields;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code golden/codec/row.bin} is one event in {@link RowCodec}'s format, written by an earlier build: today's
 * build must read it back to the same values and write the same bytes, or the log's payloads have changed.
 */
class RowCodecGoldenTest {

    static final StreamDef STREAM = new StreamDef("golden", "ts", 5_000, List.of(
            new FieldDef("symbol", FieldType.STRING), new FieldDef("price", FieldType.DOUBLE),
            new FieldDef("qty", FieldType.LONG), new FieldDef("ok", FieldType.BOOLEAN),
            new FieldDef("at", FieldType.TIMESTAMP), new FieldDef("note", FieldType.STRING),
            new FieldDef("missing", FieldType.LONG), new FieldDef("long_text", FieldType.STRING),
            new FieldDef("neg", FieldType.DOUBLE)), UnknownFields.IGNORE);

    static byte[] encodeGoldenEvent() {
        return new RowCodec(STREAM).builder().reset(-1_234_567L)
                .setString(0, "ÄCME").setDouble(1, 101.25).setLong(2, -300).setBoolean(3, true)
                .setLong(4, 1_795_687_500_000L).setString(5, "").setString(7, "x".repeat(200))
                .setDouble(8, -0.0).encode();
    }

    @Test
    void theGoldenRowReadsBackAndIsWrittenIdentically() throws IOException {
        byte[] golden;
        try (InputStream in = getClass().getResourceAsStream("/golden/codec/row.bin")) {
            golden = in.readAllBytes();
        }
        BinaryRow row = new RowCodec(STREAM).reader().reset(golden, 0, golden.length, 7, 9);

        assertThat(row.eventTime()).isEqualTo(-1_234_567L);
        assertThat(row.getString(0)).isEqualTo("ÄCME");
        assertThat(row.getDouble(1)).isEqualTo(101.25);
        assertThat(row.getLong(2)).isEqualTo(-300);
        assertThat(row.getBoolean(3)).isTrue();
        assertThat(row.getLong(4)).isEqualTo(1_795_687_500_000L);
        assertThat(row.getString(5)).isEmpty();
        assertThat(row.isNull(6)).isTrue();
        assertThat(row.getString(7)).hasSize(200);
        assertThat(Double.doubleToRawLongBits(row.getDouble(8))).isEqualTo(Double.doubleToRawLongBits(-0.0));
        assertThat(encodeGoldenEvent()).isEqualTo(golden);
    }
}
