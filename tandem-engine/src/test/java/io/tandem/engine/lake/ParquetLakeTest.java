package io.tandem.engine.lake;

import io.tandem.core.FieldDef;
import io.tandem.core.FieldType;
import io.tandem.core.StreamDef;
import io.tandem.core.TandemConfig;
import io.tandem.core.UnknownFields;
import io.tandem.engine.duckdb.DuckDb;
import io.tandem.engine.log.FileEventLog;
import io.tandem.spi.lake.Lake;
import io.tandem.spi.lake.LakeFile;
import io.tandem.spi.lake.SealedEpoch;
import io.tandem.spi.log.EventLog;
import io.tandem.spi.testkit.LakeContract;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link ParquetLake}: the {@link LakeContract} plus the layout, determinism, crash recovery and errors. */
class ParquetLakeTest extends LakeContract {

    @Override
    protected Lake open(Path dir, TandemConfig config, Map<String, EventLog> logs, LongSupplier clock) {
        return new ParquetLake(dir, config, logs, clock,
                new DuckDb(config.duckdb(), dir.resolveSibling("duckdb-tmp")));
    }

    @Override
    protected EventLog openLog(Path dir, int partitions, long epochMs, LongSupplier clock) throws IOException {
        return FileEventLog.open(dir, partitions, epochMs, clock, FileEventLog.Options.defaults());
    }

    private Path lakeDir() {
        return dataDir.resolve("lake");
    }

    /** Every file under the lake, relative to it, sorted. */
    private List<String> tree() throws Exception {
        try (Stream<Path> all = Files.walk(lakeDir())) {
            return all.filter(Files::isRegularFile).map(f -> lakeDir().relativize(f).toString()).sorted().toList();
        }
    }

    @Test
    void when_aDamagedFilesOffsetsAreGoneFromTheLog_then_verifyNamesTheFileTheBytesAndTheOffsetsLost()
            throws Exception {
        // Given a log that starts a segment for every unit, and two sealed epochs of partition 0
        logs.remove("trades").close();
        logs.put("trades", FileEventLog.open(dataDir.resolve("small-log"), PARTITIONS, EPOCH_MS, clock::get,
                new FileEventLog.Options(64, 10)));
        Lake lake = lake();
        trades(0, false, trade(1, "A", 1), trade(2, "B", 2));
        clock.set(epochStart(E0 + 1) + 10);
        trades(0, false, trade(3, "C", 3));
        clock.set(epochStart(E0 + 2) + GRACE_MS);
        lake.sealReadyEpochs();
        List<LakeFile> files = lake.files("trades", Long.MIN_VALUE, Long.MAX_VALUE);
        assertThat(files).extracting(LakeFile::epoch).containsExactly(E0, E0 + 1);
        // And retention has removed the first epoch's records from the log
        logs.get("trades").deleteBefore(0, 2);
        assertThat(logs.get("trades").startOffset(0)).isEqualTo(2);

        // When a byte in the first file flips
        Path first = files.get(0).path();
        byte[] content = Files.readAllBytes(first);
        content[5] ^= 0x01;
        Files.write(first, content);

        // Then verify fails naming the file, the bytes and the offsets, and keeps it aside; the other file passes
        assertThatThrownBy(() -> lake.verify(files)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("lake file " + first + ": bytes 0 to " + (content.length - 1)
                        + " do not match the CRC-32C written with them (offsets 0 to 1 of partition 0)")
                .hasMessageContaining("put an intact copy (from a backup) at " + first);
        assertThat(first.resolveSibling("part-0.parquet.damaged")).hasBinaryContent(content);
        lake.verify(files.subList(1, 2));
        // And after a restart the lake opens, and an intact copy put back passes
        lake.close();
        content[5] ^= 0x01;
        Files.write(first, content);
        Lake reopened = lake();
        reopened.verify(reopened.files("trades", Long.MIN_VALUE, Long.MAX_VALUE));
        assertLakeMatchesReference(reopened, "trades");
    }

    @Test
    void when_epochsAreSealed_then_filesAreInHiveFoldersThatDuckDbReadsWithAGlob() throws Exception {
        // Given two sealed epochs of trades in two partitions
        Lake lake = lake();
        trades(0, false, trade(1, "A", 1));
        trades(2, false, trade(2, "B", 2));
        clock.set(epochStart(E0 + 1) + 10);
        trades(0, false, trade(3, "C", 3));
        clock.set(epochStart(E0 + 2) + GRACE_MS);
        lake.sealReadyEpochs();

        // Then the folders are Hive-style, one file per epoch and partition with events
        assertThat(tree()).containsExactly("ticks/_manifest.json", "trades/_manifest.json",
                "trades/epoch=" + E0 + "/part-0.parquet", "trades/epoch=" + E0 + "/part-2.parquet",
                "trades/epoch=" + (E0 + 1) + "/part-0.parquet");
        // And a plain DuckDB glob with hive_partitioning reads them all, adding an epoch column
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT epoch, _epoch, _partition, _offset, symbol FROM read_parquet('"
                     + lakeDir() + "/trades/*/*.parquet', hive_partitioning = true) ORDER BY _epoch, _partition")) {
            List<String> rows = new ArrayList<>();
            while (r.next()) {
                rows.add(r.getLong(1) + " " + r.getLong(2) + " " + r.getInt(3) + " " + r.getLong(4) + " "
                        + r.getString(5));
            }
            assertThat(rows).containsExactly(E0 + " " + E0 + " 0 0 A", E0 + " " + E0 + " 2 0 B",
                    (E0 + 1) + " " + (E0 + 1) + " 0 1 C");
        }
    }

    @Test
    void when_theSameEpochIsWrittenAgain_then_theFilesAreByteIdentical() throws Exception {
        // Given a lake that sealed two epochs of a few hundred events
        for (int i = 0; i < 300; i++) {
            trades(i % PARTITIONS, i % 50 == 0, trade(T0 + i, "S" + i % 7, i));
            clock.addAndGet(20);
        }
        clock.set(epochStart(E0 + 2) + GRACE_MS);
        Lake first = lake();
        first.sealReadyEpochs();

        // When a second lake writes the same log into another folder
        Lake second = open(dataDir.resolve("lake2"), CONFIG, logs, clock::get);
        try {
            second.sealReadyEpochs();

            // Then every file and the manifests have the same bytes
            List<LakeFile> a = first.files("trades", Long.MIN_VALUE, Long.MAX_VALUE);
            List<LakeFile> b = second.files("trades", Long.MIN_VALUE, Long.MAX_VALUE);
            assertThat(a).hasSize(b.size()).hasSizeGreaterThan(3);
            for (int i = 0; i < a.size(); i++) {
                assertThat(Files.readAllBytes(b.get(i).path())).isEqualTo(Files.readAllBytes(a.get(i).path()));
            }
            assertThat(Files.readString(dataDir.resolve("lake2/trades/_manifest.json")))
                    .isEqualTo(Files.readString(lakeDir().resolve("trades/_manifest.json")));
        } finally {
            second.close();
        }
    }

    @Test
    void when_crashLeftAFileTheManifestDoesNotListAndTempFiles_then_reopenRecoversExactly() throws Exception {
        // Given a lake that sealed E0, then E0 + 1, keeping the manifest and files of both moments
        Lake lake = lake();
        trades(0, false, trade(1, "A", 1), trade(2, "B", 2));
        clock.set(epochStart(E0 + 1) + GRACE_MS);
        lake.sealReadyEpochs();
        Path manifest = lakeDir().resolve("trades/_manifest.json");
        byte[] manifestAtE0 = Files.readAllBytes(manifest);
        trades(1, true, trade(3, "C", 3));
        trades(0, false, trade(4, "D", 4));
        clock.set(epochStart(E0 + 2) + GRACE_MS);
        assertThat(lake.sealReadyEpochs()).containsExactly(new SealedEpoch("trades", E0 + 1));
        List<String> treeAtE1 = tree();
        byte[] manifestAtE1 = Files.readAllBytes(manifest);
        Path fileOfE1 = lakeDir().resolve("trades/epoch=" + (E0 + 1) + "/part-1.parquet");
        byte[] bytesOfE1 = Files.readAllBytes(fileOfE1);
        lake.close();

        // When the process had died after renaming E0 + 1's files but before replacing the manifest,
        // in the middle of writing another file and another manifest
        Files.write(manifest, manifestAtE0);
        Files.write(lakeDir().resolve("trades/epoch=" + (E0 + 1) + "/.part-2.parquet.tmp"), new byte[] {1, 2});
        Files.write(lakeDir().resolve("trades/._manifest.json.tmp"), new byte[] {'{'});

        // Then reopening removes what the manifest does not list, and sealing writes E0 + 1 again, identically
        Lake again = lake();
        assertThat(again.sealedThrough("trades")).isEqualTo(E0);
        assertThat(again.files("trades", Long.MIN_VALUE, Long.MAX_VALUE)).extracting(LakeFile::epoch)
                .containsExactly(E0);
        assertThat(tree()).noneMatch(f -> f.endsWith(".tmp")).doesNotContain(lakeDir().relativize(fileOfE1)
                .toString());
        assertThat(again.sealReadyEpochs()).containsExactly(new SealedEpoch("trades", E0 + 1));
        assertThat(tree()).isEqualTo(treeAtE1);
        assertThat(Files.readAllBytes(fileOfE1)).isEqualTo(bytesOfE1);
        assertThat(Files.readAllBytes(manifest)).isEqualTo(manifestAtE1);
        assertLakeMatchesReference(again, "trades");
    }

    @Test
    void when_aReaderFollowsTheLakeFromAnotherProcess_then_itSeesWhatTheWriterSealedAndWritesNothing()
            throws Exception {
        LakeReader reader = new LakeReader(lakeDir(), CONFIG);
        assertThat(reader.sealedThrough("trades")).isEqualTo(Long.MIN_VALUE);
        assertThat(reader.files("trades", Long.MIN_VALUE, Long.MAX_VALUE)).isEmpty();
        assertThat(reader.nextOffset("trades", 1)).isZero();

        Lake lake = lake();
        trades(0, false, trade(1, "A", 1));
        trades(1, true, trade(2, "B", 2));
        clock.set(epochStart(E0 + 1) + GRACE_MS);
        lake.sealReadyEpochs();
        List<String> written = tree();
        for (Lake seen : List.of(lake, reader)) {
            assertThat(seen.sealedThrough("trades")).isEqualTo(E0);
            assertThat(seen.files("trades", Long.MIN_VALUE, Long.MAX_VALUE)).extracting(LakeFile::partition)
                    .containsExactly(0, 1);
        }
        assertThat(reader.nextOffset("trades", 1)).isEqualTo(lake.nextOffset("trades", 1)).isPositive();

        trades(2, false, trade(3, "C", 3));
        clock.set(epochStart(E0 + 2) + GRACE_MS);
        lake.sealReadyEpochs();
        assertThat(reader.files("trades", E0, Long.MAX_VALUE)).isEqualTo(lake.files("trades", E0, Long.MAX_VALUE))
                .hasSize(1);
        assertThat(reader.sealReadyEpochs()).isEmpty();
        assertThat(tree()).containsAll(written);
        assertThatThrownBy(() -> reader.sealedThrough("nope")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void when_theManifestListsAFileMissingAtOpen_then_theLakeOpensAndVerifyWritesItAgain() throws Exception {
        Lake lake = lake();
        trades(0, false, trade(1, "A", 1));
        clock.set(epochStart(E0 + 1) + GRACE_MS);
        lake.sealReadyEpochs();
        lake.close();
        Path file = lake.files("trades", Long.MIN_VALUE, Long.MAX_VALUE).get(0).path();
        Files.delete(file);

        Lake reopened = lake();
        assertThat(file).doesNotExist();
        reopened.verify(reopened.files("trades", Long.MIN_VALUE, Long.MAX_VALUE));
        assertLakeMatchesReference(reopened, "trades");
    }

    @Test
    void when_aFieldUsesAReservedName_then_theLakeRefusesTheStream() {
        StreamDef bad = new StreamDef("trades", "ts", 0, List.of(new FieldDef("_offset", FieldType.LONG)),
                UnknownFields.IGNORE);
        TandemConfig config = new TandemConfig(EPOCH_MS, Map.of("trades", bad), Map.of());

        assertThatThrownBy(() -> open(lakeDir(), config, logs, clock::get))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("streams.trades.fields._offset");
    }

    @Test
    void when_theClockStepsBackAcrossAnIdlePartition_then_sealingThatStreamStopsAndWritesNothingTwice()
            throws Exception {
        // Given E0 sealed by the clock while partition 1 was idle
        Lake lake = lake();
        trades(0, false, trade(1, "A", 1));
        clock.set(epochStart(E0 + 1) + GRACE_MS);
        lake.sealReadyEpochs();
        List<LakeFile> before = lake.files("trades", Long.MIN_VALUE, Long.MAX_VALUE);

        // When the clock steps back into E0 and partition 1 receives an event there, and a tick arrives later
        clock.set(T0);
        trades(1, false, trade(2, "late", 2));
        clock.set(epochStart(E0 + 1) + 1_500);
        tick(0, 5, "X", 1);
        clock.set(epochStart(E0 + 2) + GRACE_MS);

        // Then trades stays as it was and the call says why, while ticks still seals
        assertThatThrownBy(lake::sealReadyEpochs).isInstanceOf(IllegalStateException.class)
                .hasMessage("lake of stream 'trades': sealed through epoch " + E0 + ", the next one fails: partition"
                        + " 1 offset 0 is in epoch " + E0 + ", but epoch " + E0 + " of that partition is already"
                        + " written; the log's arrival times went back (a clock step back across an idle partition,"
                        + " or a record that took longer than the 1000 ms grace to become durable)");
        assertThat(lake.sealedThrough("ticks")).isEqualTo(E0 + 1);
        assertThat(lake.sealedThrough("trades")).isEqualTo(E0);
        assertThat(lake.files("trades", Long.MIN_VALUE, Long.MAX_VALUE)).isEqualTo(before);
        assertThat(lake.nextOffset("trades", 1)).isZero();
    }

    @Test
    void when_aStreamCannotBeSealed_then_theCallThrowsNamingItAfterSealingTheOthers_andRecoversOnceFixed()
            throws Exception {
        // Given an epoch of trades and of ticks, and a plain file where the trades' epoch folder must go
        Lake lake = lake();
        trades(0, false, trade(1, "A", 1));
        tick(1, T0 + 5, "X", 1.5);
        Path blocker = lakeDir().resolve("trades/epoch=" + E0);
        Files.writeString(blocker, "in the way");
        clock.set(epochStart(E0 + 1) + GRACE_MS);

        // When it seals, Then the ticks are sealed and the call names the trades and why they are not
        assertThatThrownBy(lake::sealReadyEpochs).isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("lake of stream 'trades': no epoch sealed yet, the next one fails: ")
                .hasMessageContaining(blocker.toString());
        assertThat(lake.sealedThrough("ticks")).isEqualTo(E0);
        assertThat(lake.sealedThrough("trades")).isEqualTo(Long.MIN_VALUE);
        assertThatThrownBy(lake::sealReadyEpochs).hasMessageContaining(blocker.toString());

        // And once the file is gone the next call seals the trades, as if nothing had happened
        Files.delete(blocker);
        assertThat(lake.sealReadyEpochs()).containsExactly(new SealedEpoch("trades", E0));
        assertLakeMatchesReference(lake, "trades");
        assertLakeMatchesReference(lake, "ticks");
    }
}
