package io.tandem.spi.lake;

import java.nio.file.Path;
import java.util.List;

/**
 * The immutable master data set: every sealed epoch of every stream, as files that other tools read without Tandem
 * (embedded: a local folder of Parquet files; scaled out: the same layout on shared storage).
 *
 * <p>An epoch of a stream is <em>sealed</em> once no record can land in it any more and all its events are in the
 * lake. Sealing is exactly once: writing an epoch again (after a crash) yields the same content, and nothing that
 * is not complete is ever listed. Implementations pass {@code LakeContract}.
 */
public interface Lake extends AutoCloseable {

    /** Where the lake lives: {@code <data-dir>/lake} in the embedded default. */
    Path root();

    /**
     * The highest epoch E such that every epoch up to E of the stream is completely in the lake (epochs without
     * events have no file but count as sealed); {@link Long#MIN_VALUE} before any.
     *
     * @throws IllegalArgumentException for a stream the lake does not know
     */
    long sealedThrough(String stream);

    /**
     * The files holding the stream's sealed epochs in {@code (afterEpoch, throughEpoch]}, ordered by epoch, then
     * partition. Only sealed epochs are listed: {@code throughEpoch} is capped at {@link #sealedThrough}.
     *
     * @throws IllegalArgumentException for a stream the lake does not know
     */
    List<LakeFile> files(String stream, long afterEpoch, long throughEpoch);

    /**
     * The first log offset of the partition that the lake has not yet written: the log may delete the records
     * before it (once the hot path's checkpoint has passed them too).
     *
     * @throws IllegalArgumentException for a stream or partition the lake does not know
     */
    long nextOffset(String stream, int partition);

    /**
     * Writes every epoch whose arrival window is over and whose records are all durable, and returns the epochs
     * that became sealed by this call and hold at least one event: streams in the config's order, each one's
     * epochs ascending. Idempotent: a call with nothing new to seal changes nothing and returns an empty list.
     * Calls are serialized.
     *
     * @throws IllegalStateException when a stream cannot be sealed (after the other streams were), naming the
     *                               stream and the reason; that stream stays as it was and the next call retries it
     */
    List<SealedEpoch> sealReadyEpochs();

    /**
     * Reads the files back and compares each with what was written when it was sealed, before a batch run trusts
     * them. A damaged or missing file is moved aside (to {@code <file>.damaged}) and written again from the log when
     * the log still holds its records; the call then returns, and the files read as sealed. Files sealed without a
     * checksum (by an earlier release) pass when present. Calls are serialized with {@link #sealReadyEpochs}.
     *
     * @throws IllegalStateException naming the file, the damaged byte range and the log offsets it held, when a file
     *                               is damaged and cannot be written again; the other files are as they were
     */
    void verify(List<LakeFile> files);

    /** Releases the lake; files already sealed stay. */
    @Override
    void close();
}
