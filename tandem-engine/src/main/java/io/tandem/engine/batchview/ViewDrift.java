package io.tandem.engine.batchview;

import java.util.List;
import java.util.Map;

/**
 * How far one view's hot-path accumulators were from the batch's, over the epochs a run newly covered.
 *
 * @param bucketsCompared       (dims, bucket, epoch) groups compared
 * @param bucketsDiffering      groups where at least one measure differs beyond its tolerance
 * @param maxRelativeDifference the largest |hot − batch| / max(|hot|, |batch|) over every compared value
 * @param samples               up to 20 differing groups with both values
 */
public record ViewDrift(long bucketsCompared, long bucketsDiffering, double maxRelativeDifference,
                        List<Sample> samples) {

    /** One differing group: its dims, bucket and epoch, and each measure's hot and batch value. */
    public record Sample(Map<String, Object> dims, long bucket, long epoch, Map<String, Object> hot,
                         Map<String, Object> batch) {
    }
}
