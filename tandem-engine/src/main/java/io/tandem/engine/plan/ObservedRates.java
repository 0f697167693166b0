package io.tandem.engine.plan;

import io.tandem.spi.lake.Lake;
import io.tandem.spi.lake.LakeFile;

import java.util.List;
import java.util.OptionalLong;
import java.util.function.Function;

/**
 * The rate each stream has shown, for {@code volume: auto}: events per day over the sealed epochs of the last
 * seven days of arrival time in the lake. A stream with no sealed event yet has no observed rate.
 */
public final class ObservedRates {

    private static final long DAY_MS = 86_400_000L;
    private static final long WINDOW_MS = 7 * DAY_MS;

    private ObservedRates() {
    }

    /** Each stream's observed rate in events per day, read from the lake when asked. */
    public static Function<String, OptionalLong> of(Lake lake, long epochMs) {
        return stream -> perDay(lake, stream, epochMs);
    }

    private static OptionalLong perDay(Lake lake, String stream, long epochMs) {
        long sealed = lake.sealedThrough(stream);
        if (sealed == Long.MIN_VALUE) {
            return OptionalLong.empty();
        }
        long epochs = Math.max(1, WINDOW_MS / epochMs);
        List<LakeFile> files = lake.files(stream, sealed - epochs, sealed);
        if (files.isEmpty()) {
            return OptionalLong.empty();
        }
        long rows = files.stream().mapToLong(LakeFile::rows).sum();
        // from the first epoch that holds an event to the last sealed one: a young stream is not diluted by
        // the days before it existed
        long spanMs = (sealed - files.get(0).epoch() + 1) * epochMs;
        return OptionalLong.of((long) Math.min(Long.MAX_VALUE, (double) rows * DAY_MS / spanMs));
    }
}
