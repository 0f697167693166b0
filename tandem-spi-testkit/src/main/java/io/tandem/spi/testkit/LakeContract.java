package io.tandem.spi.testkit;

import io.tandem.core.FieldDef;
import io.tandem.core.FieldType;
import io.tandem.core.StreamDef;
import io.tandem.core.TandemConfig;
import io.tandem.core.UnknownFields;
import io.tandem.core.codec.RowCodec;
import io.tandem.spi.lake.Lake;
import io.tandem.spi.lake.LakeFile;
import io.tandem.spi.lake.SealedEpoch;
import io.tandem.spi.log.EventLog;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * The contract of {@link Lake}: every implementation's test extends this class. The logs are the implementation
 * test's own ({@link #openLog}), on a clock the test moves; files are read back with DuckDB.
 *
 * <p>Streams: {@code trades} (every field type, time field {@code ts} not declared) and {@code ticks} (time field
 * {@code at} also declared as a timestamp field). Epochs are 5 s long; every log has {@link #PARTITIONS}.
 */
public abstract class LakeContract {

    protected static final long EPOCH_MS = 5_000;
    protected static final int PARTITIONS = 3;
    /** The start of an epoch, plus a second. */
    protected static final long T0 = 1_700_000_000_000L + 1_000;
    protected static final long E0 = Math.floorDiv(T0, EPOCH_MS);
    /** How long after an epoch's end a lake waits for an idle partition before it seals the epoch. */
    protected static final long GRACE_MS = 1_000;

    protected static final StreamDef TRADES = new StreamDef("trades", "ts", 5_000, List.of(
            new FieldDef("symbol", FieldType.STRING), new FieldDef("price", FieldType.DOUBLE),
            new FieldDef("qty", FieldType.LONG), new FieldDef("ok", FieldType.BOOLEAN),
            new FieldDef("settled", FieldType.TIMESTAMP)), UnknownFields.IGNORE);
    protected static final StreamDef TICKS = new StreamDef("ticks", "at", 5_000, List.of(
            new FieldDef("venue", FieldType.STRING), new FieldDef("at", FieldType.TIMESTAMP),
            new FieldDef("px", FieldType.DOUBLE)), UnknownFields.IGNORE);
    protected static final TandemConfig CONFIG = new TandemConfig(EPOCH_MS, map(TRADES, TICKS), Map.of());

    @TempDir
    protected Path dataDir;
    protected final AtomicLong clock = new AtomicLong(T0);
    protected final Map<String, EventLog> logs = new LinkedHashMap<>();
    /** Every event appended, in order: the reference the lake is compared with. */
    protected final List<Appended> appended = new ArrayList<>();
    private final List<Lake> opened = new ArrayList<>();

    /** Opens (or reopens, as a restarted process would) the lake in {@code dir}. */
    protected abstract Lake open(Path dir, TandemConfig config, Map<String, EventLog> logs, LongSupplier clock);

    /** Opens an empty log of {@code partitions} partitions in {@code dir}, with epochs of {@code epochMs}. */
    protected abstract EventLog openLog(Path dir, int partitions, long epochMs, LongSupplier clock)
            throws IOException;

    /** One trade; null fields are stored as null. */
    protected record Trade(long ts, String symbol, Double price, Long qty, Boolean ok, Long settled) {
    }

    /** One event as the log stamped it, with its values in file column order (times as epoch ms). */
    protected record Appended(String stream, int partition, long offset, long arrivalMs, boolean event,
                              List<Object> values) {
        long epoch() {
            return Math.floorDiv(arrivalMs, EPOCH_MS);
        }
    }

    private static Map<String, StreamDef> map(StreamDef... streams) {
        Map<String, StreamDef> m = new LinkedHashMap<>();
        for (StreamDef s : streams) {
            m.put(s.name(), s);
        }
        return m;
    }

    @BeforeEach
    protected void openLogs() throws Exception {
        for (StreamDef s : CONFIG.streams().values()) {
            logs.put(s.name(), openLog(dataDir.resolve("log").resolve(s.name()), PARTITIONS, EPOCH_MS, clock::get));
        }
    }

    @AfterEach
    protected void closeAll() {
        opened.forEach(Lake::close);
        logs.values().forEach(EventLog::close);
    }

    /** Opens the lake in {@code <data-dir>/lake} and closes it when the test ends. */
    protected final Lake lake() {
        Lake lake = open(dataDir.resolve("lake"), CONFIG, logs, clock::get);
        opened.add(lake);
        return lake;
    }

    protected static long epochStart(long epoch) {
        return epoch * EPOCH_MS;
    }

    /** Appends trades to a partition as one unit, at the clock's current time; with a marker first when asked. */
    protected final void trades(int partition, boolean marker, Trade... trades) throws Exception {
        RowCodec.Builder b = new RowCodec(TRADES).builder();
        List<byte[]> payloads = new ArrayList<>();
        byte[] kinds = new byte[trades.length + (marker ? 1 : 0)];
        if (marker) {
            kinds[0] = EventLog.MARKER;
            payloads.add(new byte[] {1, 2, 3});
        }
        for (Trade t : trades) {
            b.reset(t.ts());
            if (t.symbol() != null) {
                b.setString(0, t.symbol());
            }
            if (t.price() != null) {
                b.setDouble(1, t.price());
            }
            if (t.qty() != null) {
                b.setLong(2, t.qty());
            }
            if (t.ok() != null) {
                b.setBoolean(3, t.ok());
            }
            if (t.settled() != null) {
                b.setLong(4, t.settled());
            }
            payloads.add(b.encode());
        }
        long first = logs.get("trades").append(partition, kinds, payloads).get(30, TimeUnit.SECONDS);
        long arrival = arrivalOf("trades", partition, first);
        if (marker) {
            appended.add(new Appended("trades", partition, first, arrival, false, List.of()));
        }
        for (int i = 0; i < trades.length; i++) {
            Trade t = trades[i];
            appended.add(new Appended("trades", partition, first + i + (marker ? 1 : 0), arrival, true,
                    Arrays.asList(t.symbol(), t.price(), t.qty(), t.ok(), t.settled(), t.ts())));
        }
    }

    /** Appends one tick; the time field is also a declared field. */
    protected final void tick(int partition, long at, String venue, double px) throws Exception {
        RowCodec.Builder b = new RowCodec(TICKS).builder();
        byte[] payload = b.reset(at).setString(0, venue).setLong(1, at).setDouble(2, px).encode();
        long offset = logs.get("ticks").append(partition, null, List.of(payload)).get(30, TimeUnit.SECONDS);
        appended.add(new Appended("ticks", partition, offset, arrivalOf("ticks", partition, offset), true,
                Arrays.asList(venue, px, at)));
    }

    private long arrivalOf(String stream, int partition, long offset) {
        long[] arrival = new long[1];
        logs.get(stream).read(partition, offset, 1, (o, k, e, a, buf, off, len) -> arrival[0] = a);
        return arrival[0];
    }

    /** A trade at event time {@code ts} with every field set. */
    protected static Trade trade(long ts, String symbol, long qty) {
        return new Trade(ts, symbol, qty * 1.25, qty, qty % 2 == 0, ts + 7);
    }

    /** The events the reference says the file of (stream, epoch, partition) holds, in file column order. */
    protected final List<List<Object>> expected(String stream, long epoch, int partition) {
        List<List<Object>> rows = new ArrayList<>();
        for (Appended a : appended) {
            if (a.event() && a.stream().equals(stream) && a.epoch() == epoch && a.partition() == partition) {
                List<Object> row = new ArrayList<>(a.values());
                row.addAll(List.of(a.arrivalMs(), epoch, partition, a.offset()));
                rows.add(row);
            }
        }
        return rows;
    }

    /** Every row of a file, read with a DuckDB connection of the test's own, timestamps as epoch ms. */
    protected static List<List<Object>> read(Path file) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
            List<String> select = new ArrayList<>();
            try (ResultSet r = s.executeQuery("DESCRIBE SELECT * FROM " + source(file))) {
                while (r.next()) {
                    String name = '"' + r.getString(1) + '"';
                    select.add(r.getString(2).equals("TIMESTAMP") ? "epoch_ms(" + name + ")" : name);
                }
            }
            List<List<Object>> rows = new ArrayList<>();
            try (ResultSet r = s.executeQuery("SELECT " + String.join(", ", select) + " FROM " + source(file))) {
                ResultSetMetaData meta = r.getMetaData();
                while (r.next()) {
                    List<Object> row = new ArrayList<>();
                    for (int c2 = 1; c2 <= meta.getColumnCount(); c2++) {
                        row.add(r.getObject(c2));
                    }
                    rows.add(row);
                }
            }
            return rows;
        }
    }

    /** A file as a DuckDB table expression, without the folders' Hive column (DuckDB detects it by default). */
    protected static String source(Path file) {
        return "read_parquet('" + file + "', hive_partitioning = false)";
    }

    /** The column names and DuckDB types of a file, in order, as "name TYPE". */
    protected static List<String> columns(Path file) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("DESCRIBE SELECT * FROM " + source(file))) {
            List<String> columns = new ArrayList<>();
            while (r.next()) {
                columns.add(r.getString(1) + " " + r.getString(2));
            }
            return columns;
        }
    }

    /** Checks that the sealed files of a stream hold exactly the reference's events of the sealed epochs. */
    protected final void assertLakeMatchesReference(Lake lake, String stream) throws Exception {
        long through = lake.sealedThrough(stream);
        List<LakeFile> files = lake.files(stream, Long.MIN_VALUE, Long.MAX_VALUE);
        List<String> expectedKeys = new ArrayList<>();
        appended.stream().filter(a -> a.event() && a.stream().equals(stream) && a.epoch() <= through)
                .map(a -> a.epoch() + "/" + a.partition()).distinct().sorted().forEach(expectedKeys::add);
        assertThat(files).extracting(f -> f.epoch() + "/" + f.partition())
                .containsExactlyInAnyOrderElementsOf(expectedKeys);
        for (LakeFile f : files) {
            assertThat(read(f.path())).as(f.toString()).isEqualTo(expected(stream, f.epoch(), f.partition()));
            assertThat(f.rows()).isEqualTo(expected(stream, f.epoch(), f.partition()).size());
        }
    }

    // ---------------------------------------------------------------- sealing

    @Test
    public void when_anEventHasATimeOutsideYears1To9999_then_itIsLeftOutAndTheEpochSeals() throws Exception {
        // Given an epoch whose events include times no reader of the lake can hold: event times and a timestamp
        // field of ±292 million years, next to the last and first millisecond the lake writes
        long first = -62_135_596_800_000L;
        long last = 253_402_300_799_999L;
        Lake lake = lake();
        trades(0, false, trade(1, "A", 1), new Trade(Long.MAX_VALUE, "FAR", 1.0, 1L, true, 2L),
                new Trade(5, "SETTLED", 1.0, 1L, true, Long.MIN_VALUE), new Trade(last, "LAST", 2.0, 2L, false, first),
                new Trade(Long.MIN_VALUE, "NEG", 1.0, 1L, true, 3L), trade(2, "B", 2));
        appended.removeIf(a -> List.of("FAR", "SETTLED", "NEG").contains(a.values().get(0)));
        clock.set(epochStart(E0 + 1) + GRACE_MS);

        // When it seals, Then it is sealed with the other events, past every record, and is not tried again
        assertThat(lake.sealReadyEpochs()).containsExactly(new SealedEpoch("trades", E0));
        assertLakeMatchesReference(lake, "trades");
        assertThat(lake.files("trades", Long.MIN_VALUE, Long.MAX_VALUE).get(0).rows()).isEqualTo(3);
        assertThat(lake.nextOffset("trades", 0)).isEqualTo(6);
        assertThat(lake.sealReadyEpochs()).isEmpty();
    }

    @Test
    public void when_aPayloadCannotBeDecoded_then_itIsLeftOutAndTheEpochSeals() throws Exception {
        // Given an epoch with a record the hot path cannot read either (it dead-letters it) between two trades
        Lake lake = lake();
        trades(0, false, trade(1, "A", 1));
        logs.get("trades").append(0, null, List.of(new byte[] {1, 2, 3})).get(30, TimeUnit.SECONDS);
        trades(0, false, trade(2, "B", 2));
        clock.set(epochStart(E0 + 1) + GRACE_MS);

        // When it seals, Then it is sealed with the two trades, past every record
        assertThat(lake.sealReadyEpochs()).containsExactly(new SealedEpoch("trades", E0));
        assertLakeMatchesReference(lake, "trades");
        assertThat(lake.files("trades", Long.MIN_VALUE, Long.MAX_VALUE).get(0).rows()).isEqualTo(2);
        assertThat(lake.nextOffset("trades", 0)).isEqualTo(3);
    }

    @Test
    public void when_noEpochIsOver_then_nothingIsSealed() throws Exception {
        Lake lake = lake();
        trades(0, false, trade(1, "A", 1));
        assertThat(lake.sealedThrough("trades")).isEqualTo(Long.MIN_VALUE);

        assertThat(lake.sealReadyEpochs()).isEmpty();
        assertThat(lake.sealedThrough("trades")).isLessThan(E0);
        assertThat(lake.files("trades", Long.MIN_VALUE, Long.MAX_VALUE)).isEmpty();
        assertThat(lake.nextOffset("trades", 0)).isZero();
    }

    @Test
    public void when_idlePartitionsExist_then_theEpochSealsOnlyAfterItsEndPlusTheGrace() throws Exception {
        // Given events of epoch E0 in partition 0 only
        Lake lake = lake();
        trades(0, false, trade(10, "A", 1), trade(11, "B", 2));

        // When the clock is just short of the end of E0 plus the grace, nothing seals
        clock.set(epochStart(E0 + 1) + GRACE_MS - 1);
        assertThat(lake.sealReadyEpochs()).isEmpty();
        assertThat(lake.sealedThrough("trades")).isLessThan(E0);

        // When it reaches it, E0 seals with one file
        clock.set(epochStart(E0 + 1) + GRACE_MS);
        assertThat(lake.sealReadyEpochs()).containsExactly(new SealedEpoch("trades", E0));
        assertThat(lake.sealedThrough("trades")).isEqualTo(E0);
        assertThat(lake.files("trades", Long.MIN_VALUE, Long.MAX_VALUE))
                .containsExactly(new LakeFile("trades", E0, 0, lake.root().resolve("trades/epoch=" + E0
                        + "/part-0.parquet"), 0, 2, 2));
        assertLakeMatchesReference(lake, "trades");
        assertThat(lake.nextOffset("trades", 0)).isEqualTo(2);
    }

    @Test
    public void when_everyPartitionHasALaterRecord_then_theEpochSealsWithoutWaitingForTheClock() throws Exception {
        // Given events of E0 in every partition, then of E0 + 1 in every partition
        Lake lake = lake();
        for (int p = 0; p < PARTITIONS; p++) {
            trades(p, false, trade(p, "S" + p, p + 1));
        }
        clock.set(epochStart(E0 + 1));
        for (int p = 0; p < PARTITIONS; p++) {
            trades(p, false, trade(100 + p, "T" + p, p + 5));
        }

        // When sealing right at the start of E0 + 1: E0 is complete, E0 + 1 is not
        assertThat(lake.sealReadyEpochs()).containsExactly(new SealedEpoch("trades", E0));

        // Then E0 has a file per partition, and each partition continues at its first record of E0 + 1
        assertThat(lake.sealedThrough("trades")).isEqualTo(E0);
        assertThat(lake.files("trades", Long.MIN_VALUE, Long.MAX_VALUE)).extracting(LakeFile::partition)
                .containsExactly(0, 1, 2);
        assertLakeMatchesReference(lake, "trades");
        for (int p = 0; p < PARTITIONS; p++) {
            assertThat(lake.nextOffset("trades", p)).isEqualTo(1);
        }
    }

    @Test
    public void when_epochsAreShortAndSomeEmpty_then_eachSealsOnceAndEmptyOnesHaveNoFile() throws Exception {
        // Given 5 s epochs: events in E0, none in E0 + 1, events in E0 + 2 in two partitions
        Lake lake = lake();
        trades(0, false, trade(1, "A", 1));
        clock.set(epochStart(E0 + 2) + 400);
        trades(1, false, trade(2, "B", 2));
        trades(2, false, trade(3, "C", 3), trade(4, "D", 4));

        // When the clock moves on step by step and the lake seals each time
        List<SealedEpoch> sealed = new ArrayList<>();
        for (long t = clock.get(); t <= epochStart(E0 + 4); t += 700) {
            clock.set(t);
            sealed.addAll(lake.sealReadyEpochs());
        }

        // Then each epoch with events sealed once, in order, and every file matches the reference
        assertThat(sealed).containsExactly(new SealedEpoch("trades", E0), new SealedEpoch("trades", E0 + 2));
        assertThat(lake.sealedThrough("trades")).isEqualTo(E0 + 2);
        assertLakeMatchesReference(lake, "trades");
        assertThat(lake.files("trades", E0, E0 + 2)).extracting(LakeFile::epoch, LakeFile::partition)
                .containsExactly(tuple(E0 + 2, 1),
                        tuple(E0 + 2, 2));
        assertThat(lake.files("trades", E0 - 1, E0)).extracting(LakeFile::epoch).containsExactly(E0);
        assertThat(lake.files("trades", E0, E0 + 1)).isEmpty();
    }

    @Test
    public void when_aSealedFileIsDamagedOrMissing_then_verifyWritesItAgainFromTheLog() throws Exception {
        // Given two sealed files of trades
        Lake lake = lake();
        trades(0, false, trade(1, "A", 1), trade(2, "B", 2));
        trades(1, false, trade(3, "C", 3));
        clock.set(epochStart(E0 + 1) + GRACE_MS);
        lake.sealReadyEpochs();
        List<LakeFile> files = lake.files("trades", Long.MIN_VALUE, Long.MAX_VALUE);
        assertThat(files).hasSize(2);
        lake.verify(files);

        // When one byte of the first flips and the second is deleted
        Path first = files.get(0).path();
        byte[] content = Files.readAllBytes(first);
        content[content.length / 2] ^= 0x10;
        Files.write(first, content);
        Files.delete(files.get(1).path());
        lake.verify(files);

        // Then both read as sealed again, the damaged one is kept aside, and verify finds nothing more
        assertLakeMatchesReference(lake, "trades");
        assertThat(first.resolveSibling(first.getFileName() + ".damaged")).hasBinaryContent(content);
        lake.verify(files);
        assertThat(lake.files("trades", Long.MIN_VALUE, Long.MAX_VALUE)).isEqualTo(files);
    }

    @Test
    public void when_sealIsCalledAgain_then_nothingChanges() throws Exception {
        Lake lake = lake();
        trades(0, false, trade(1, "A", 1));
        clock.set(epochStart(E0 + 1) + GRACE_MS);
        assertThat(lake.sealReadyEpochs()).hasSize(1);
        List<LakeFile> files = lake.files("trades", Long.MIN_VALUE, Long.MAX_VALUE);

        assertThat(lake.sealReadyEpochs()).isEmpty();

        assertThat(lake.files("trades", Long.MIN_VALUE, Long.MAX_VALUE)).isEqualTo(files);
        assertThat(lake.sealedThrough("trades")).isEqualTo(E0);
    }

    @Test
    public void when_filesIsAskedBeyondTheSealedEpochs_then_onlySealedFilesAreListed() throws Exception {
        // Given partition 0 already in E0 + 1 while partitions 1 and 2 may still receive E0 + 1 records
        Lake lake = lake();
        trades(0, false, trade(1, "A", 1));
        clock.set(epochStart(E0 + 1) + 10);
        trades(0, false, trade(2, "B", 2));
        clock.set(epochStart(E0 + 2) + 10);
        trades(0, false, trade(3, "C", 3));

        lake.sealReadyEpochs();

        // Then E0 is sealed (by the clock for the idle partitions), E0 + 1 is not, and files() says so
        assertThat(lake.sealedThrough("trades")).isEqualTo(E0);
        assertThat(lake.files("trades", Long.MIN_VALUE, Long.MAX_VALUE)).extracting(LakeFile::epoch)
                .containsExactly(E0);
    }

    // ---------------------------------------------------------------- content

    @Test
    public void when_markersAreInTheLog_then_filesHoldOnlyEventsButOffsetsCoverTheMarkers() throws Exception {
        // Given units that begin with an idempotency marker, and an epoch of markers only in partition 1
        Lake lake = lake();
        trades(0, true, trade(1, "A", 1), trade(2, "B", 2));
        trades(1, true);
        trades(0, true, trade(3, "C", 3));
        clock.set(epochStart(E0 + 1) + GRACE_MS);

        assertThat(lake.sealReadyEpochs()).containsExactly(new SealedEpoch("trades", E0));

        // Then partition 0's file holds the three events and covers offsets 0..5; partition 1 has no file
        assertThat(lake.files("trades", Long.MIN_VALUE, Long.MAX_VALUE)).singleElement().satisfies(f -> {
            assertThat(f.partition()).isZero();
            assertThat(f.startOffset()).isZero();
            assertThat(f.endOffset()).isEqualTo(5);
            assertThat(f.rows()).isEqualTo(3);
        });
        assertLakeMatchesReference(lake, "trades");
        assertThat(lake.nextOffset("trades", 0)).isEqualTo(5);
        assertThat(lake.nextOffset("trades", 1)).isEqualTo(1);
        assertThat(lake.nextOffset("trades", 2)).isZero();
    }

    @Test
    public void when_fileIsRead_then_everyColumnHasTheDocumentedNameTypeAndExactValue() throws Exception {
        // Given events with nulls, millisecond times before and after 1970, and a unicode symbol
        Lake lake = lake();
        trades(0, false, new Trade(-86_400_001L, "Zürich ✓", -0.5, Long.MIN_VALUE, true, -1L),
                new Trade(1_700_000_000_123L, null, null, null, null, null),
                new Trade(253_402_300_799_999L, "", Double.MAX_VALUE, Long.MAX_VALUE, false, 1L));
        tick(1, 1_700_000_000_999L, "X", 3.5);
        clock.set(epochStart(E0 + 1) + GRACE_MS);

        assertThat(lake.sealReadyEpochs()).containsExactly(new SealedEpoch("trades", E0),
                new SealedEpoch("ticks", E0));

        // Then the columns are the declared fields, the event time, then the lake's own four
        LakeFile trades = lake.files("trades", Long.MIN_VALUE, Long.MAX_VALUE).get(0);
        assertThat(columns(trades.path())).containsExactly("symbol VARCHAR", "price DOUBLE", "qty BIGINT",
                "ok BOOLEAN", "settled TIMESTAMP", "ts TIMESTAMP", "_arrival TIMESTAMP", "_epoch BIGINT",
                "_partition INTEGER", "_offset BIGINT");
        // And a time field that is also a declared field appears once, as the event time
        LakeFile ticks = lake.files("ticks", Long.MIN_VALUE, Long.MAX_VALUE).get(0);
        assertThat(columns(ticks.path())).containsExactly("venue VARCHAR", "px DOUBLE", "at TIMESTAMP",
                "_arrival TIMESTAMP", "_epoch BIGINT", "_partition INTEGER", "_offset BIGINT");
        // And every value round-trips exactly
        assertLakeMatchesReference(lake, "trades");
        assertLakeMatchesReference(lake, "ticks");
    }

    @Test
    public void when_manyEventsSpanEpochsAndPartitions_then_theLakeEqualsTheReference() throws Exception {
        // Given 3 partitions, 6 epochs, units of 1 to 40 events, time moving 300 ms per unit
        Lake lake = lake();
        int n = 0;
        for (int u = 0; u < 100; u++) {
            int partition = (u * 7) % PARTITIONS;
            Trade[] unit = new Trade[1 + (u * 13) % 40];
            for (int i = 0; i < unit.length; i++) {
                unit[i] = trade(T0 + n, "S" + (n % 17), n);
                n++;
            }
            trades(partition, u % 5 == 0, unit);
            clock.addAndGet(300);
            if (u % 9 == 0) {
                lake.sealReadyEpochs();
            }
        }
        clock.addAndGet(EPOCH_MS + GRACE_MS);
        lake.sealReadyEpochs();

        // Then every epoch is sealed and every event is in exactly one file
        assertThat(lake.sealedThrough("trades")).isEqualTo(E0 + 6);
        assertLakeMatchesReference(lake, "trades");
        long rows = lake.files("trades", Long.MIN_VALUE, Long.MAX_VALUE).stream().mapToLong(LakeFile::rows).sum();
        assertThat(rows).isEqualTo(n);
        for (int p = 0; p < PARTITIONS; p++) {
            assertThat(lake.nextOffset("trades", p)).isEqualTo(logs.get("trades").durableEnd(p));
        }
    }

    // ---------------------------------------------------------------- restarts

    @Test
    public void when_lakeIsReopened_then_itContinuesWhereItStopped() throws Exception {
        // Given a lake that sealed E0, with events of E0 + 1 staged but not sealed, then closed
        Lake lake = lake();
        trades(0, false, trade(1, "A", 1));
        clock.set(epochStart(E0 + 1) + GRACE_MS);
        trades(1, false, trade(2, "B", 2));
        assertThat(lake.sealReadyEpochs()).containsExactly(new SealedEpoch("trades", E0));
        lake.close();

        // When it is reopened, more events arrive, and E0 + 1 ends
        Lake again = lake();
        assertThat(again.sealedThrough("trades")).isEqualTo(E0);
        trades(2, false, trade(3, "C", 3));
        clock.set(epochStart(E0 + 2) + GRACE_MS);

        // Then only E0 + 1 is newly sealed, and the lake holds every event once
        assertThat(again.sealReadyEpochs()).containsExactly(new SealedEpoch("trades", E0 + 1));
        assertLakeMatchesReference(again, "trades");
        assertThat(again.nextOffset("trades", 0)).isEqualTo(1);
        assertThat(again.nextOffset("trades", 1)).isEqualTo(1);
        assertThat(again.nextOffset("trades", 2)).isEqualTo(1);
    }
}
