package io.tandem.engine;

import java.util.List;
import java.util.Map;

/**
 * A snapshot of the process for {@code GET /v1/status}.
 *
 * @param uptimeMs     since start
 * @param streams      per stream
 * @param storeEntries entries in the real-time store, or null when it cannot be reached
 * @param storeError   why the real-time store cannot be reached, or null when it answers
 */
public record Status(long uptimeMs, Map<String, StreamStatus> streams, Long storeEntries, String storeError) {

    /**
     * @param accepted      records accepted since this process started
     * @param rejected      records rejected since this process started
     * @param logEndOffsets the durable end offset of each partition (records ever appended)
     * @param lag           per partition, durable events not yet applied by the hot path
     * @param watermarkMs   the stream's watermark, or null before any event
     * @param failures      why the hot path stopped, by partition, for the partitions where it did
     * @param lostOffsets   by partition, for the partitions where some were, the log offsets lost to damage that no
     *                      reader gets: "offsets a to b: why" (found or read past by this process)
     */
    public record StreamStatus(long accepted, long rejected, List<Long> logEndOffsets, List<Long> lag,
                               Long watermarkMs, Map<Integer, String> failures,
                               Map<Integer, List<String>> lostOffsets) {
    }
}
