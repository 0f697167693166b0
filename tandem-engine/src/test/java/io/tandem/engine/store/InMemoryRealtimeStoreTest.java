package io.tandem.engine.store;

import io.tandem.core.MeasureDef;
import io.tandem.core.TandemConfig;
import io.tandem.core.ViewDef;
import io.tandem.spi.store.IdempotencyRecord;
import io.tandem.spi.store.RealtimeStore;
import io.tandem.spi.store.StateKey;
import io.tandem.spi.testkit.RealtimeStoreContract;
import io.tandem.spi.view.Catalog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The in-memory store: the contract, plus what its checkpoint files promise. */
class InMemoryRealtimeStoreTest extends RealtimeStoreContract {

    @TempDir
    Path dir;

    @Override
    protected RealtimeStore open() {
        return new InMemoryRealtimeStore(catalog, dir);
    }

    @Override
    protected RealtimeStore reopen(RealtimeStore old) {
        old.checkpoint();
        old.close();
        return new InMemoryRealtimeStore(catalog, dir);
    }

    @Test
    void when_theGateHoldsACheckpoint_then_theLastPublishedOneStaysUntilItOpens() {
        InMemoryRealtimeStore memory = (InMemoryRealtimeStore) store;
        store.commit("s", 0, 7, deltas(key("a", 0, 1), accs(1)), List.of());
        store.checkpoint();
        // 1. the events up to offset 12 are not all recorded by the listeners yet: the checkpoint at 7 stays
        long[] recordedUpTo = {7};
        memory.gate((stream, partition, next) -> next <= recordedUpTo[0]);
        store.commit("s", 0, 12, deltas(key("a", 0, 1), accs(1)), List.of());
        store.checkpoint();
        assertThat(new InMemoryRealtimeStore(catalog, dir).committedOffset("s", 0)).isEqualTo(7);
        // 2. once they are, the next checkpoint publishes offset 12
        recordedUpTo[0] = 12;
        store.checkpoint();
        assertThat(new InMemoryRealtimeStore(catalog, dir).committedOffset("s", 0)).isEqualTo(12);
    }

    @Test
    void when_aCheckpointIsCorrupt_then_theShardStartsEmptyAtOffsetZero() throws IOException {
        store.commit("s", 0, 7, deltas(key("a", 0, 1), accs(1)), List.of());
        store.checkpoint();
        Path file = dir.resolve("s").resolve("0.ckpt");
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length / 2] ^= 0x40;
        Files.write(file, bytes);

        store = new InMemoryRealtimeStore(catalog, dir);

        assertThat(store.committedOffset("s", 0)).isZero();
        assertThat(store.size()).isZero();
        // the damaged file is moved aside as it was, and the next checkpoint is a good one again
        assertThat(file).doesNotExist();
        assertThat(dir.resolve("s").resolve("0.ckpt.damaged")).hasBinaryContent(bytes);
        store.commit("s", 0, 3, deltas(key("a", 0, 1), accs(1)), List.of());
        store.checkpoint();
        assertThat(new InMemoryRealtimeStore(catalog, dir).committedOffset("s", 0)).isEqualTo(3);
    }

    @Test
    void when_theViewDefinitionChanged_then_theShardIsRebuiltFromTheLog() {
        store.commit("s", 0, 7, deltas(key("a", 0, 1), accs(1)), List.of());
        store.checkpoint();
        Map<String, MeasureDef> other = Map.of("n", new MeasureDef("n", "count", null, null, null));
        Catalog changed = new Catalog(new TandemConfig(3_600_000, Map.of("s", STREAM),
                Map.of("per_k", new ViewDef("per_k", "s", List.of("k"), 60_000, null, other))));

        RealtimeStore reopened = new InMemoryRealtimeStore(changed, dir);

        assertThat(reopened.committedOffset("s", 0)).isZero();
        assertThat(reopened.size()).isZero();
    }

    private static final String GOLDEN_RESPONSE = "{\"accepted\":2,\"rejected\":0,\"errors\":[]}";
    private static final IdempotencyRecord GOLDEN_KEY = new IdempotencyRecord("retry-1", 1_795_687_500_000L,
            GOLDEN_RESPONSE, IdempotencyRecord.digest("s", "{\"k\":\"a\",\"ts\":1}".getBytes(StandardCharsets.UTF_8)));

    /**
     * {@code golden/checkpoint/s/0.ckpt} (version 2) was written by this store from {@link #goldenState}: reading
     * it back must give the same state, so that a format change cannot slip in unnoticed.
     */
    @Test
    void theGoldenCheckpointReadsBack() throws IOException {
        RealtimeStore fromGolden = new InMemoryRealtimeStore(catalog, golden("/golden/checkpoint/s/0.ckpt"));
        goldenState(store);

        assertThat(fromGolden.committedOffset("s", 0)).isEqualTo(42);
        Map<StateKey, List<Object>> expected = contents();
        store = fromGolden;
        assertThat(contents()).isEqualTo(expected);
        assertThat(fromGolden.idempotency("retry-1")).contains(GOLDEN_KEY);
    }

    /**
     * {@code golden/checkpoint-v1/s/0.ckpt} was written by the version 1 store (magic "TCK1", idempotency entries
     * without a request digest) from the same state: it still reads back, its keys with no digest.
     */
    @Test
    void theVersion1GoldenCheckpointReadsBack_withoutDigests() throws IOException {
        RealtimeStore fromGolden = new InMemoryRealtimeStore(catalog, golden("/golden/checkpoint-v1/s/0.ckpt"));
        goldenState(store);

        assertThat(fromGolden.committedOffset("s", 0)).isEqualTo(42);
        Map<StateKey, List<Object>> expected = contents();
        store = fromGolden;
        assertThat(contents()).isEqualTo(expected);
        assertThat(fromGolden.idempotency("retry-1"))
                .contains(new IdempotencyRecord("retry-1", 1_795_687_500_000L, GOLDEN_RESPONSE, null));
    }

    @Test
    void aVersion1Checkpoint_isRewrittenAsVersion2() throws IOException {
        Path copy = golden("/golden/checkpoint-v1/s/0.ckpt");
        RealtimeStore fromGolden = new InMemoryRealtimeStore(catalog, copy);
        IdempotencyRecord second = new IdempotencyRecord("retry-2", 1_795_687_600_000L, GOLDEN_RESPONSE,
                GOLDEN_KEY.requestDigest());
        fromGolden.commit("s", 0, 43, Map.of(), List.of(second));
        fromGolden.checkpoint();

        byte[] written = Files.readAllBytes(copy.resolve("s").resolve("0.ckpt"));
        assertThat(new String(written, 0, 4, StandardCharsets.US_ASCII)).isEqualTo("TCK2");
        RealtimeStore reread = new InMemoryRealtimeStore(catalog, copy);
        assertThat(reread.committedOffset("s", 0)).isEqualTo(43);
        assertThat(reread.idempotency("retry-1")).get().extracting(IdempotencyRecord::requestDigest).isNull();
        assertThat(reread.idempotency("retry-2")).contains(second);
    }

    private Path golden(String resource) throws IOException {
        Path golden = Files.createTempDirectory(dir, "golden");
        Files.createDirectories(golden.resolve("s"));
        try (InputStream in = getClass().getResourceAsStream(resource)) {
            Files.write(golden.resolve("s").resolve("0.ckpt"), in.readAllBytes());
        }
        return golden;
    }

    private void goldenState(RealtimeStore s) {
        s.commit("s", 0, 42, deltas(key("a", 0, 1), accs(1, 2, 3), key("b", -60_000, 0), accs(-5)),
                List.of(GOLDEN_KEY));
    }

    /** Writes the golden file again: run with {@code -Dtandem.golden.write=true} after a deliberate change. */
    @Test
    void writeGoldenCheckpoint() throws IOException {
        org.junit.jupiter.api.Assumptions.assumeTrue(Boolean.getBoolean("tandem.golden.write"));
        Path target = Path.of("src/test/resources/golden/checkpoint");
        RealtimeStore s = new InMemoryRealtimeStore(catalog, target);
        goldenState(s);
        s.checkpoint();
    }
}
