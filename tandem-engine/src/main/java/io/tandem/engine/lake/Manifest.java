package io.tandem.engine.lake;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tandem.engine.durable.BlockChecksums;
import io.tandem.spi.lake.LakeFile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the lake holds of one stream, as {@code <lake>/<stream>/_manifest.json} records it: the truth on open.
 *
 * <pre>
 * {
 *   "format": 1,
 *   "stream": "trades",
 *   "sealed_through": 5796411,                  every epoch up to here is in the lake; null before any
 *   "partitions": [                             one entry per log partition, in partition order
 *     {"partition": 0, "next_offset": 52114, "sealed_through": 5796411}, ...
 *   ],
 *   "files": [                                  ordered by epoch, then partition
 *     {"epoch": 5796410, "partition": 0, "path": "epoch=5796410/part-0.parquet",
 *      "start_offset": 40960, "end_offset": 52114, "rows": 11150,
 *      "bytes": 318230, "crc32c": "q3T0xA=="}, ...             its size and a CRC-32C per MiB (BlockChecksums)
 *   ]
 * }
 * </pre>
 * A partition's {@code next_offset} is the first log offset not yet in the lake; its {@code sealed_through} is the
 * highest epoch whose records of that partition are all in the lake. The stream's {@code sealed_through} is the
 * smallest of the partitions'. Paths are relative to the stream's folder and use {@code /}. Files sealed before
 * checksums were kept (release 0.1.0) have no {@code bytes} and {@code crc32c}, and are not checked.
 *
 * @param sealedThrough the stream's sealed epoch, {@link Long#MIN_VALUE} before any
 * @param files         ordered by epoch, then partition
 * @param checksums     what each file held when it was sealed, by path; a file sealed without them is absent
 */
record Manifest(String stream, long sealedThrough, List<Mark> partitions, List<LakeFile> files,
                Map<Path, BlockChecksums> checksums) {

    static final String FILE_NAME = "_manifest.json";
    static final Comparator<LakeFile> ORDER =
            Comparator.comparingLong(LakeFile::epoch).thenComparingInt(LakeFile::partition);
    private static final int FORMAT = 1;
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** Where one partition stands. */
    record Mark(long nextOffset, long sealedThrough) {
    }

    Manifest {
        partitions = List.copyOf(partitions);
        files = List.copyOf(files);
        checksums = Map.copyOf(checksums);
    }

    /** The manifest of a stream with nothing in the lake yet, whose log partitions start at {@code starts}. */
    static Manifest empty(String stream, long[] starts) {
        List<Mark> marks = new ArrayList<>();
        for (long start : starts) {
            marks.add(new Mark(start, Long.MIN_VALUE));
        }
        return new Manifest(stream, Long.MIN_VALUE, marks, List.of(), Map.of());
    }

    /** The files of the sealed epochs in {@code (afterEpoch, throughEpoch]}, ordered by epoch, then partition. */
    List<LakeFile> files(long afterEpoch, long throughEpoch) {
        long through = Math.min(throughEpoch, sealedThrough);
        int lo = 0;
        int hi = files.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (files.get(mid).epoch() <= afterEpoch) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        List<LakeFile> out = new ArrayList<>();
        for (int i = lo; i < files.size() && files.get(i).epoch() <= through; i++) {
            out.add(files.get(i));
        }
        return out;
    }

    /**
     * The first log offset of the partition the lake has not written.
     *
     * @throws IllegalArgumentException for a partition the manifest does not have
     */
    long nextOffset(int partition) {
        if (partition < 0 || partition >= partitions.size()) {
            throw new IllegalArgumentException("partition: expected 0.." + (partitions.size() - 1) + ", got "
                    + partition);
        }
        return partitions.get(partition).nextOffset();
    }

    /**
     * What is wrong with one of the listed files, read back now: null when it matches its checksums (or, sealed
     * without them, exists), else {@code lake file <path>: <why> (offsets a to b of partition p)}.
     */
    String damage(LakeFile f) throws IOException {
        BlockChecksums sums = checksums.get(f.path());
        String why = sums != null ? sums.damage(f.path())
                : Files.isRegularFile(f.path()) ? null : "the file is missing";
        return why == null ? null : "lake file " + f.path() + ": " + why + " (offsets " + f.startOffset() + " to "
                + (f.endOffset() - 1) + " of partition " + f.partition() + ")";
    }

    byte[] toJson(Path streamDir) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        root.put("stream", stream);
        putEpoch(root, "sealed_through", sealedThrough);
        ArrayNode marks = root.putArray("partitions");
        for (int p = 0; p < partitions.size(); p++) {
            ObjectNode m = marks.addObject();
            m.put("partition", p);
            m.put("next_offset", partitions.get(p).nextOffset());
            putEpoch(m, "sealed_through", partitions.get(p).sealedThrough());
        }
        ArrayNode list = root.putArray("files");
        for (LakeFile f : files) {
            ObjectNode o = list.addObject();
            o.put("epoch", f.epoch());
            o.put("partition", f.partition());
            o.put("path", streamDir.relativize(f.path()).toString().replace('\\', '/'));
            o.put("start_offset", f.startOffset());
            o.put("end_offset", f.endOffset());
            o.put("rows", f.rows());
            BlockChecksums sums = checksums.get(f.path());
            if (sums != null) {
                o.put("bytes", sums.bytes());
                o.put("crc32c", sums.encoded());
            }
        }
        return JSON.writeValueAsBytes(root);
    }

    private static void putEpoch(ObjectNode node, String name, long epoch) {
        if (epoch == Long.MIN_VALUE) {
            node.putNull(name);
        } else {
            node.put(name, epoch);
        }
    }

    /**
     * Reads a manifest written by {@link #toJson}.
     *
     * @throws IOException when the file cannot be read or is not a manifest of this format
     */
    static Manifest read(Path file, Path streamDir) throws IOException {
        JsonNode root = JSON.readTree(Files.readAllBytes(file));
        if (root == null || root.path("format").asInt() != FORMAT) {
            throw new IOException(file + ": expected a lake manifest of format " + FORMAT);
        }
        String stream = need(root, "stream", file).asText();
        List<Mark> marks = new ArrayList<>();
        for (JsonNode m : need(root, "partitions", file)) {
            marks.add(new Mark(need(m, "next_offset", file).asLong(), epoch(m.get("sealed_through"))));
        }
        List<LakeFile> files = new ArrayList<>();
        Map<Path, BlockChecksums> checksums = new HashMap<>();
        for (JsonNode f : need(root, "files", file)) {
            Path path = streamDir.resolve(need(f, "path", file).asText());
            files.add(new LakeFile(stream, need(f, "epoch", file).asLong(), need(f, "partition", file).asInt(),
                    path, need(f, "start_offset", file).asLong(), need(f, "end_offset", file).asLong(),
                    need(f, "rows", file).asLong()));
            if (f.has("crc32c")) {
                try {
                    checksums.put(path, BlockChecksums.decode(need(f, "bytes", file).asLong(), f.get("crc32c")
                            .asText()));
                } catch (IllegalArgumentException e) {
                    throw new IOException(file + ": " + path + ": " + e.getMessage(), e);
                }
            }
        }
        return new Manifest(stream, epoch(root.get("sealed_through")), marks, files, checksums);
    }

    private static JsonNode need(JsonNode node, String name, Path file) throws IOException {
        JsonNode value = node.get(name);
        if (value == null || value.isNull()) {
            throw new IOException(file + ": a lake manifest entry lacks \"" + name + "\": " + node);
        }
        return value;
    }

    private static long epoch(JsonNode node) {
        return node == null || node.isNull() ? Long.MIN_VALUE : node.asLong();
    }
}
