package io.tandem.engine.live;

import io.tandem.core.GroupKey;

/** One row of a view at its own granularity: what the hot path changed and what a live view sends again. */
record RowKey(String view, GroupKey dims, long bucket) implements Comparable<RowKey> {

    @Override
    public int compareTo(RowKey o) {
        int c = view.compareTo(o.view);
        if (c != 0) {
            return c;
        }
        c = Long.compare(bucket, o.bucket);
        return c != 0 ? c : dims.compareTo(o.dims);
    }
}
