package io.tandem.engine.lake;

import io.tandem.core.StreamDef;
import io.tandem.core.TandemConfig;
import io.tandem.engine.durable.BlockChecksums;
import io.tandem.engine.durable.Durable;
import io.tandem.spi.lake.LakeFile;
import io.tandem.spi.lake.SealedEpoch;
import io.tandem.spi.log.EventLog;
import org.duckdb.DuckDBConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The lake of one stream: its manifest and, per partition, the epoch being staged. {@link #seal} runs on one
 * thread at a time; readers see the last published manifest.
 */
final class StreamLake {

    private static final Logger LOG = LoggerFactory.getLogger(ParquetLake.class);
    /** Records read from the log per call: what may be staged of an epoch whose window is still open. */
    private static final int READ_BATCH = 4096;

    private final String name;
    private final Path dir;
    private final EventLog log;
    private final TandemConfig config;
    private final long graceMs;
    private final Stage[] stages;
    private final PartitionReader[] readers;
    /** Where a damaged file's records are staged again from the log. */
    private final Stage repair;
    private volatile Manifest published;

    // The working state of seal(): published's, plus what was written since.
    private final List<LakeFile> files = new ArrayList<>();
    private final Map<Path, BlockChecksums> checksums = new HashMap<>();
    private final long[] next;
    private final long[] sealed;
    private final long[] readOffset;
    private boolean changed;

    private StreamLake(StreamDef stream, Path dir, EventLog log, TandemConfig config, long graceMs,
                       DuckDBConnection connection, String tablePrefix, Manifest manifest) throws SQLException {
        this.name = stream.name();
        this.dir = dir;
        this.log = log;
        this.config = config;
        this.graceMs = graceMs;
        int n = log.partitions();
        LakeColumns columns = new LakeColumns(stream);
        this.stages = new Stage[n];
        this.readers = new PartitionReader[n];
        for (int p = 0; p < n; p++) {
            stages[p] = new Stage(connection, tablePrefix + "_p" + p, stream, columns);
            readers[p] = new PartitionReader(p);
        }
        this.repair = new Stage(connection, tablePrefix + "_repair", stream, columns);
        this.next = new long[n];
        this.sealed = new long[n];
        this.readOffset = new long[n];
        restore(manifest);
    }

    /**
     * Opens the lake of a stream in {@code dir}: the manifest is the truth. Temp files go, and so do Parquet files
     * the manifest does not list (a crash after the rename, before the manifest): sealing writes them again.
     */
    static StreamLake open(StreamDef stream, Path dir, EventLog log, TandemConfig config, long graceMs,
                           DuckDBConnection connection, String tablePrefix) throws IOException, SQLException {
        Durable.createDirectory(dir);
        Path manifestFile = dir.resolve(Manifest.FILE_NAME);
        long[] starts = new long[log.partitions()];
        for (int p = 0; p < starts.length; p++) {
            starts[p] = log.startOffset(p);
        }
        Manifest manifest = Files.exists(manifestFile) ? Manifest.read(manifestFile, dir)
                : Manifest.empty(stream.name(), starts);
        check(manifest, dir, log);
        removeUnlisted(dir, manifest);
        return new StreamLake(stream, dir, log, config, graceMs, connection, tablePrefix, manifest);
    }

    private static void check(Manifest manifest, Path dir, EventLog log) {
        String where = "lake " + dir.resolve(Manifest.FILE_NAME);
        if (!manifest.stream().equals(dir.getFileName().toString())) {
            throw new IllegalStateException(where + ": belongs to stream '" + manifest.stream() + "'");
        }
        if (manifest.partitions().size() != log.partitions()) {
            throw new IllegalStateException(where + ": has " + manifest.partitions().size()
                    + " partitions, the log has " + log.partitions());
        }
        for (int p = 0; p < log.partitions(); p++) {
            long next = manifest.partitions().get(p).nextOffset();
            if (next < log.startOffset(p) || next > log.durableEnd(p)) {
                throw new IllegalStateException(where + ": partition " + p + " continues at offset " + next
                        + ", outside the log's records [" + log.startOffset(p) + ", " + log.durableEnd(p) + "]");
            }
        }
        for (LakeFile f : manifest.files()) {
            if (!Files.isRegularFile(f.path())) {
                LOG.error("{}: lists {}, which is missing (offsets {} to {} of partition {}); a batch run that needs"
                        + " it writes it again from the log, or fails until an intact copy is put back", where,
                        f.path(), f.startOffset(), f.endOffset() - 1, f.partition());
            }
        }
    }

    private static void removeUnlisted(Path dir, Manifest manifest) throws IOException {
        Set<Path> listed = new HashSet<>();
        manifest.files().forEach(f -> listed.add(f.path()));
        Set<Path> touched = new HashSet<>();
        try (Stream<Path> all = Files.walk(dir, 2)) {
            for (Path f : all.filter(Files::isRegularFile).toList()) {
                boolean stray = f.getFileName().toString().endsWith(".parquet") && !listed.contains(f);
                if (Durable.isTemp(f) || stray) {
                    LOG.info("lake of stream '{}': removing {}, which the manifest does not list",
                            manifest.stream(), f);
                    Files.delete(f);
                    touched.add(f.getParent());
                }
            }
        }
        for (Path d : touched) {
            Durable.fsyncDirectory(d);
        }
    }

    /** Sets the working state to a manifest's, dropping what is staged. */
    private void restore(Manifest manifest) throws SQLException {
        files.clear();
        files.addAll(manifest.files());
        checksums.clear();
        checksums.putAll(manifest.checksums());
        for (int p = 0; p < next.length; p++) {
            next[p] = manifest.partitions().get(p).nextOffset();
            sealed[p] = manifest.partitions().get(p).sealedThrough();
            readOffset[p] = next[p];
            stages[p].clear();
        }
        changed = false;
        published = manifest;
    }

    Manifest manifest() {
        return published;
    }

    /**
     * Writes every epoch of every partition that is ready at {@code nowMs}, then publishes a new manifest.
     *
     * @return the epochs sealed by this call that hold at least one event, in order
     */
    List<SealedEpoch> seal(long nowMs) throws IOException, SQLException {
        Manifest before = published;
        try {
            for (int p = 0; p < stages.length; p++) {
                advance(p, nowMs);
                stages[p].flush();
            }
            long through = Long.MAX_VALUE;
            for (long s : sealed) {
                through = Math.min(through, s);
            }
            if (!changed && through == before.sealedThrough()) {
                return List.of();
            }
            List<Manifest.Mark> marks = new ArrayList<>();
            for (int p = 0; p < next.length; p++) {
                marks.add(new Manifest.Mark(next[p], sealed[p]));
            }
            files.sort(Manifest.ORDER);
            Manifest after = new Manifest(name, through, marks, files, checksums);
            Durable.write(dir.resolve(Manifest.FILE_NAME), after.toJson(dir));
            published = after;
            changed = false;
            return newlySealed(after.files(), before.sealedThrough(), through);
        } catch (IOException | SQLException | RuntimeException e) {
            try {
                restore(before);
            } catch (SQLException | RuntimeException again) {
                e.addSuppressed(again);
            }
            throw e;
        }
    }

    private List<SealedEpoch> newlySealed(List<LakeFile> sorted, long after, long through) {
        List<SealedEpoch> epochs = new ArrayList<>();
        for (LakeFile f : sorted) {
            boolean fresh = f.epoch() > after && f.epoch() <= through;
            if (fresh && (epochs.isEmpty() || epochs.get(epochs.size() - 1).epoch() != f.epoch())) {
                epochs.add(new SealedEpoch(name, f.epoch()));
            }
        }
        return epochs;
    }

    /**
     * Reads partition {@code p} forward and writes each epoch it completes. An epoch is complete in a partition
     * once a later record follows it, or once the clock has passed its end plus the grace with every durable
     * record read (the clock was read before the durable end). Records of an epoch whose arrival window is still
     * open are read at most one batch ahead.
     */
    private void advance(int p, long nowMs) throws IOException, SQLException {
        long openEpoch = config.epochOf(nowMs);
        long readyThrough = config.epochOf(nowMs - graceMs) - 1;
        Stage stage = stages[p];
        while (stage.epoch == Stage.NONE || stage.epoch < openEpoch) {
            if (readOffset[p] < log.durableEnd(p)) {
                readOffset[p] = log.read(p, readOffset[p], READ_BATCH, readers[p]);
                readers[p].rethrow();
                continue;
            }
            if (stage.epoch != Stage.NONE && stage.epoch <= readyThrough) {
                finish(p, readOffset[p]);
            }
            if (stage.epoch == Stage.NONE && readyThrough > sealed[p]) {
                sealed[p] = readyThrough;
                changed = true;
            }
            return;
        }
    }

    /** Writes partition {@code p}'s staged epoch, which ends before {@code endOffset}, into the lake. */
    private void finish(int p, long endOffset) throws IOException, SQLException {
        Stage stage = stages[p];
        long epoch = stage.epoch;
        if (stage.rows > 0) {
            Path epochDir = dir.resolve("epoch=" + epoch);
            Durable.createDirectory(epochDir);
            Path file = epochDir.resolve("part-" + p + ".parquet");
            Path temp = Durable.tempFor(file);
            Files.deleteIfExists(temp);
            LakeFile written = new LakeFile(name, epoch, p, file, stage.startOffset, endOffset, stage.rows);
            stage.writeParquet(temp, p);
            checksums.put(file, BlockChecksums.of(temp));
            Durable.publish(temp, file);
            files.add(written);
            LOG.debug("lake of stream '{}': wrote {}", name, written);
        } else {
            stage.clear();
        }
        next[p] = endOffset;
        sealed[p] = Math.max(sealed[p], epoch);
        changed = true;
    }

    /**
     * Checks one listed file against its checksums; a damaged or missing one is moved aside and written again from
     * the log, when the log still holds its offsets.
     *
     * @throws IllegalStateException when it is damaged and the log no longer holds its offsets
     */
    void verify(LakeFile f) throws IOException, SQLException {
        String what = published.damage(f);
        if (what == null) {
            return;
        }
        Path file = f.path();
        Path aside = file.resolveSibling(file.getFileName() + ".damaged");
        if (Files.exists(file)) {
            Files.move(file, aside, StandardCopyOption.REPLACE_EXISTING);
            Durable.fsyncDirectory(file.getParent());
            what += "; it is kept aside as " + aside.getFileName();
        }
        if (log.startOffset(f.partition()) > f.startOffset()) {
            throw new IllegalStateException(what + "; the log no longer holds those offsets (it starts at "
                    + log.startOffset(f.partition()) + "), so the file cannot be written again: put an intact copy"
                    + " (from a backup) at " + file);
        }
        rewrite(f);
        LOG.error("{}; written again from the log", what);
    }

    /** Writes a listed file again from the log's records of its offsets, then the manifest with its checksums. */
    private void rewrite(LakeFile f) throws IOException, SQLException {
        repair.clear();
        repair.begin(f.epoch(), f.startOffset());
        RepairReader reader = new RepairReader(f);
        long offset = f.startOffset();
        while (offset < f.endOffset()) {
            long next = log.read(f.partition(), offset, READ_BATCH, reader);
            reader.rethrow();
            if (next == offset) {
                throw new IllegalStateException("lake file " + f.path() + ": the log ends at offset " + offset
                        + ", before the file's end " + f.endOffset());
            }
            offset = next;
        }
        if (repair.rows != f.rows()) {
            long rows = repair.rows;
            repair.clear();
            throw new IllegalStateException("lake file " + f.path() + ": the log's offsets " + f.startOffset() + " to "
                    + (f.endOffset() - 1) + " hold " + rows + " events, the manifest says " + f.rows());
        }
        Path temp = Durable.tempFor(f.path());
        Files.deleteIfExists(temp);
        repair.writeParquet(temp, f.partition());
        checksums.put(f.path(), BlockChecksums.of(temp));
        Durable.publish(temp, f.path());
        Manifest after = new Manifest(name, published.sealedThrough(), published.partitions(), published.files(),
                checksums);
        Durable.write(dir.resolve(Manifest.FILE_NAME), after.toJson(dir));
        published = after;
    }

    /**
     * A reader of the log that keeps what went wrong inside {@code accept} (which cannot throw it) for the caller,
     * which rethrows it after each read.
     */
    private abstract static class CapturingReader implements EventLog.RecordConsumer {

        Exception failure;

        /** Throws what went wrong inside the last read, if anything. */
        void rethrow() throws IOException, SQLException {
            Exception e = failure;
            failure = null;
            if (e instanceof IOException io) {
                throw io;
            }
            if (e instanceof SQLException sql) {
                throw sql;
            }
            if (e instanceof RuntimeException r) {
                throw r;
            }
        }
    }

    /** Stages the events of one file's offsets again, for {@link #rewrite}. */
    private final class RepairReader extends CapturingReader {

        private final LakeFile file;

        RepairReader(LakeFile file) {
            this.file = file;
        }

        @Override
        public void accept(long offset, byte kind, long epoch, long arrivalMs, byte[] buf, int off, int len) {
            if (failure != null || offset >= file.endOffset() || kind != EventLog.EVENT) {
                return;
            }
            if (epoch != file.epoch()) {
                failure = new IllegalStateException("lake file " + file.path() + ": the log's offset " + offset
                        + " is in epoch " + epoch + ", the file's is " + file.epoch());
                return;
            }
            try {
                repair.append(offset, arrivalMs, buf, off, len);
            } catch (SQLException | RuntimeException e) {
                failure = e;
            }
        }
    }

    /** Stages the records of one partition as the log hands them over, finishing an epoch when the next begins. */
    private final class PartitionReader extends CapturingReader {

        private final int partition;

        PartitionReader(int partition) {
            this.partition = partition;
        }

        @Override
        public void accept(long offset, byte kind, long epoch, long arrivalMs, byte[] buf, int off, int len) {
            if (failure != null) {
                return;
            }
            Stage stage = stages[partition];
            try {
                if (stage.epoch != Stage.NONE && epoch != stage.epoch) {
                    if (epoch < stage.epoch) {
                        throw wentBack(offset, epoch, stage.epoch);
                    }
                    finish(partition, offset);
                }
                if (stage.epoch == Stage.NONE) {
                    if (epoch <= sealed[partition]) {
                        throw wentBack(offset, epoch, sealed[partition]);
                    }
                    stage.begin(epoch, offset);
                    if (epoch - 1 > sealed[partition]) {
                        sealed[partition] = epoch - 1;
                        changed = true;
                    }
                }
                if (kind == EventLog.EVENT) {
                    String unwritable = stage.append(offset, arrivalMs, buf, off, len);
                    if (unwritable != null) {
                        LOG.warn("lake of stream '{}': partition {} offset {} is left out of the lake: {}", name,
                                partition, offset, unwritable);
                    }
                }
            } catch (IOException | SQLException | RuntimeException e) {
                failure = e;
            }
        }

        private IllegalStateException wentBack(long offset, long epoch, long done) {
            return new IllegalStateException("lake of stream '" + name + "': partition " + partition + " offset "
                    + offset + " is in epoch " + epoch + ", but epoch " + done + " of that partition is already"
                    + " written; the log's arrival times went back (a clock step back across an idle partition,"
                    + " or a record that took longer than the " + graceMs + " ms grace to become durable)");
        }
    }
}
