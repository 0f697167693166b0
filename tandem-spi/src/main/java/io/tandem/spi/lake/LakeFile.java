package io.tandem.spi.lake;

import java.nio.file.Path;

/**
 * One file of the lake: the events of one epoch of one partition of a stream.
 *
 * @param path        where the file is (absolute)
 * @param startOffset the first log offset the file covers
 * @param endOffset   the log offset after the last one it covers; idempotency markers in
 *                    {@code [startOffset, endOffset)} are not events, so {@code rows <= endOffset - startOffset}
 * @param rows        the number of events (rows) in the file
 */
public record LakeFile(String stream, long epoch, int partition, Path path, long startOffset, long endOffset,
                       long rows) {
}
