package io.tandem.engine.query;

import io.tandem.core.GroupKey;

import java.util.List;

/**
 * The answer to a {@link ViewQuery}: one row per (bucket, dims) with data, sorted by bucket then dims.
 *
 * @param dimensions   the group-by field names, in the order of each row's {@link GroupKey}
 * @param measures     the names of each row's values, in order: the view's measures, then its computed results
 * @param boundary     the batch boundary the answer was merged at
 */
public record QueryResult(String view, long granularityMs, List<String> dimensions, List<String> measures,
                          Boundary boundary, List<Row> rows) {

    /**
     * One merged row: the bucket start, the dimension values, one value per measure and computed result, and which
     * path it came from: {@code batch}, {@code realtime} or {@code both}.
     */
    public record Row(long bucket, GroupKey dims, Object[] values, String source) {
    }

    /**
     * Where batch ends and real time begins: the last epoch the batch view covers, the arrival time where that
     * epoch ends, and the batch view's version. All null and 0 before the first batch run.
     */
    public record Boundary(Long epoch, Long untilMs, long version) {
        public static final Boundary NONE = new Boundary(null, null, 0);
    }
}
