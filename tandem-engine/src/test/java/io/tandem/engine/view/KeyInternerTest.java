package io.tandem.engine.view;

import io.tandem.core.GroupKey;
import io.tandem.core.StreamDef;
import io.tandem.core.TandemConfig;
import io.tandem.core.codec.BinaryRow;
import io.tandem.core.codec.RowCodec;
import io.tandem.core.config.ConfigLoader;
import io.tandem.spi.view.CompiledView;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The interner gives the same key as decoding the event would, and one instance per distinct key. */
class KeyInternerTest {

    static final TandemConfig CONFIG = ConfigLoader.parse("""
            streams:
              s:
                time: ts
                fields: {a: string, b: string, n: long, x: double, f: boolean}
            views:
              all:
                from: s
                group_by: [a, b, n, x, f]
                granularity: 1m
                measures: {c: count}
              none:
                from: s
                granularity: 1m
                measures: {c: count}
            """, "t.yaml");
    static final StreamDef STREAM = CONFIG.streams().get("s");
    static final String[] STRINGS = {"", "a", "b", "ab", "abc", "bc", "é", "ζήτα", "x".repeat(300), null};

    @Test
    void everyEvent_getsTheKeyItsValuesMake_andEqualKeysAreOneInstance() {
        CompiledView view = new CompiledView(CONFIG.views().get("all"), STREAM);
        KeyInterner interner = new KeyInterner(view);
        RowCodec codec = new RowCodec(STREAM);
        RowCodec.Builder builder = codec.builder();
        BinaryRow row = codec.reader();
        Map<GroupKey, GroupKey> seen = new HashMap<>();
        Random r = new Random(7);
        for (int i = 0; i < 50_000; i++) {
            builder.reset(i);
            builder.setString(0, STRINGS[r.nextInt(STRINGS.length)]);
            builder.setString(1, STRINGS[r.nextInt(STRINGS.length)]);
            if (r.nextInt(5) > 0) {
                builder.setLong(2, r.nextInt(4) - 2);
            }
            if (r.nextInt(5) > 0) {
                builder.setDouble(3, r.nextBoolean() ? 0.0 : r.nextInt(3) * 0.5);
            }
            if (r.nextInt(3) > 0) {
                builder.setBoolean(4, r.nextBoolean());
            }
            byte[] payload = builder.encode();
            row.reset(payload, 0, payload.length, 0, i);

            GroupKey interned = interner.keyOf(row);
            GroupKey decoded = view.keyOf(row);
            assertThat(interned).isEqualTo(decoded);
            assertThat(interned).isSameAs(seen.computeIfAbsent(decoded, k -> interned));
        }
        assertThat(seen.size()).as("distinct groups met").isGreaterThan(1_000);
    }

    @Test
    void whenMostGroupsAreNew_itStepsAside_andComesBackWhenGroupsRepeat() {
        CompiledView view = new CompiledView(CONFIG.views().get("all"), STREAM);
        KeyInterner interner = new KeyInterner(view);
        RowCodec codec = new RowCodec(STREAM);
        RowCodec.Builder builder = codec.builder();
        BinaryRow row = codec.reader();
        long event = 0;
        for (int i = 0; i < KeyInterner.WINDOW + 1; i++, event++) {
            byte[] payload = builder.reset(event).setString(0, "u" + event).setLong(2, event).encode();
            row.reset(payload, 0, payload.length, 0, event);
            assertThat(interner.keyOf(row)).isEqualTo(view.keyOf(row));
        }
        assertThat(interner.interning()).as("every event a new group").isFalse();

        for (int i = 0; i < KeyInterner.WINDOW * (KeyInterner.PAUSE_WINDOWS + 1); i++, event++) {
            byte[] payload = builder.reset(event).setString(0, "s" + (event % 10)).encode();
            row.reset(payload, 0, payload.length, 0, event);
            assertThat(interner.keyOf(row)).isEqualTo(view.keyOf(row));
        }
        assertThat(interner.interning()).as("ten groups again and again").isTrue();
    }

    @Test
    void aViewWithoutStringDimensions_decodesItsKeys() {
        TandemConfig config = ConfigLoader.parse("""
                streams:
                  s: {time: ts, fields: {n: long}}
                views:
                  by_n: {from: s, group_by: [n], granularity: 1m, measures: {c: count}}
                """, "t.yaml");
        CompiledView view = new CompiledView(config.views().get("by_n"), config.streams().get("s"));
        RowCodec codec = new RowCodec(config.streams().get("s"));
        byte[] payload = codec.builder().reset(1).setLong(0, 7).encode();
        BinaryRow row = codec.reader().reset(payload, 0, payload.length, 0, 0);
        KeyInterner interner = new KeyInterner(view);

        assertThat(interner.keyOf(row)).isEqualTo(GroupKey.of(7L));
        assertThat(interner.interning()).isFalse();
    }

    @Test
    void aViewWithoutDimensions_hasTheEmptyKey() {
        CompiledView view = new CompiledView(CONFIG.views().get("none"), STREAM);
        RowCodec codec = new RowCodec(STREAM);
        byte[] payload = codec.builder().reset(1).setString(0, "a").encode();
        BinaryRow row = codec.reader().reset(payload, 0, payload.length, 0, 0);

        assertThat(new KeyInterner(view).keyOf(row)).isSameAs(GroupKey.EMPTY);
    }
}
