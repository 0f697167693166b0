package io.tandem.spi.batch;

import io.tandem.core.GroupKey;
import io.tandem.spi.view.CompiledView;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The cold path's swappable part: computes a view's accumulators from lake files (embedded: DuckDB; scale-out:
 * Spark). Implementations pass {@code BatchEngineContract}.
 *
 * <p>The accumulators are those of the view's own measures ({@link CompiledView#measures()}), so they merge with
 * the hot path's exactly: a group's accumulators equal the ones the hot path builds by {@link CompiledView#add}
 * from the same events (sums of doubles and variances within floating-point rounding, sketches within their
 * error). Grouping follows the hot path: the view's {@code where} filters events, the key is
 * {@link CompiledView#keyOf}, the bucket {@link CompiledView#bucketOf}.
 */
public interface BatchEngine extends AutoCloseable {

    /** Receives one group's accumulators; called once per group, from the calling thread, in no given order. */
    @FunctionalInterface
    interface Visitor {
        /**
         * @param dims         the group-by values, as {@link CompiledView#keyOf} gives them
         * @param bucket       the bucket start, epoch ms
         * @param epoch        the epoch, or {@link Long#MIN_VALUE} when the groups span epochs
         * @param accumulators one per measure, in the view's order; the visitor may keep them
         */
        void accept(GroupKey dims, long bucket, long epoch, Object[] accumulators);
    }

    /**
     * Aggregates the events of {@code parquetFiles} (lake files of the view's stream; see
     * {@link io.tandem.core.expr.SqlColumns} for their columns) into {@code view}'s accumulators.
     *
     * @param byEpoch group by epoch too (to reconcile with the hot path epoch by epoch); otherwise a group spans
     *                all the epochs in the files
     * @throws IOException when the files cannot be read or the query fails
     */
    void aggregate(CompiledView view, List<Path> parquetFiles, boolean byEpoch, Visitor visitor) throws IOException;

    @Override
    void close() throws IOException;
}
