package io.tandem.cli;

import io.tandem.cli.gen.Workload;
import io.tandem.core.StreamDef;
import io.tandem.core.TandemConfig;
import io.tandem.core.codec.BinaryRow;
import io.tandem.core.codec.RowCodec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/** What the benchmarks share: workload configs, NDJSON rendering, percentiles, the machine line. */
final class BenchSupport {

    private BenchSupport() {
    }

    static TandemConfig config(Workload w) {
        return new TandemConfig(TandemConfig.DEFAULT_EPOCH_MS, Map.of(w.stream().name(), w.stream()),
                Map.of(w.view().name(), w.view()));
    }

    /** Renders event g of a workload as one NDJSON line (event time as epoch milliseconds). */
    static final class JsonRenderer {
        private final Workload workload;
        private final StreamDef stream;
        private final RowCodec.Builder builder;
        private final BinaryRow row;
        private final StringBuilder line = new StringBuilder(128);

        JsonRenderer(Workload workload) {
            this.workload = workload;
            this.stream = workload.stream();
            RowCodec codec = new RowCodec(stream);
            this.builder = codec.builder();
            this.row = codec.reader();
        }

        String line(long g) {
            workload.generate(g, builder);
            byte[] payload = builder.encode();
            row.reset(payload, 0, payload.length, 0, 0);
            line.setLength(0);
            line.append("{\"").append(stream.timeField()).append("\":").append(row.eventTime());
            for (int i = 0; i < stream.fields().size(); i++) {
                Object v = row.get(i);
                line.append(",\"").append(stream.field(i).name()).append("\":");
                if (v instanceof String s) {
                    line.append('"').append(s).append('"');
                } else {
                    line.append(v);
                }
            }
            return line.append('}').toString();
        }
    }

    /** The q-quantile (0..1) of sorted values, nearest rank. */
    static double percentile(long[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int i = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    static long[] sorted(long[] values, int n) {
        long[] out = Arrays.copyOf(values, n);
        Arrays.sort(out);
        return out;
    }

    static String machine() {
        return Runtime.getRuntime().availableProcessors() + " cores, JDK " + System.getProperty("java.version")
                + ", " + System.getProperty("os.name") + " " + System.getProperty("os.arch");
    }

    static Path tempDir(String prefix) {
        try {
            return Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
