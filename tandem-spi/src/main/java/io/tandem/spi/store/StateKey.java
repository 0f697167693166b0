package io.tandem.spi.store;

import io.tandem.core.GroupKey;

/** Where the real-time store keeps one group of accumulators: (view, dims, bucket, epoch). */
public record StateKey(String view, GroupKey dims, long bucket, long epoch) {
}
