package io.tandem.engine.lake;

import io.tandem.core.StreamDef;
import io.tandem.core.TandemConfig;
import io.tandem.spi.lake.Lake;
import io.tandem.spi.lake.LakeFile;
import io.tandem.spi.lake.SealedEpoch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The lake as a serving node sees it, written by the batch node into a folder both see: it reads each stream's
 * manifest again whenever the file changes, and writes nothing. Before the batch node has written a stream's
 * first manifest, the stream has nothing sealed.
 */
public final class LakeReader implements Lake {

    private final Path root;
    private final Map<String, Cached> streams = new LinkedHashMap<>();

    /** One stream's manifest as last read, with the time the file had then. */
    private record Cached(FileTime modified, Manifest manifest) {
    }

    public LakeReader(Path dir, TandemConfig config) {
        this.root = dir.toAbsolutePath();
        for (StreamDef s : config.streams().values()) {
            streams.put(s.name(), null);
        }
    }

    @Override
    public Path root() {
        return root;
    }

    private synchronized Manifest manifest(String stream) {
        if (!streams.containsKey(stream)) {
            throw new IllegalArgumentException("stream: expected one of " + streams.keySet() + ", got '" + stream
                    + "'");
        }
        Path dir = root.resolve(stream);
        Path file = dir.resolve(Manifest.FILE_NAME);
        Cached cached = streams.get(stream);
        try {
            FileTime modified = Files.getLastModifiedTime(file);
            if (cached == null || !cached.modified().equals(modified)) {
                cached = new Cached(modified, Manifest.read(file, dir));
                streams.put(stream, cached);
            }
            return cached.manifest();
        } catch (NoSuchFileException e) {
            return new Manifest(stream, Long.MIN_VALUE, List.of(), List.of(), Map.of());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the lake's manifest " + file, e);
        }
    }

    @Override
    public long sealedThrough(String stream) {
        return manifest(stream).sealedThrough();
    }

    @Override
    public List<LakeFile> files(String stream, long afterEpoch, long throughEpoch) {
        return manifest(stream).files(afterEpoch, throughEpoch);
    }

    /** 0 for a partition the batch node has not written a manifest for yet. */
    @Override
    public long nextOffset(String stream, int partition) {
        Manifest m = manifest(stream);
        return m.partitions().isEmpty() ? 0 : m.nextOffset(partition);
    }

    /** The batch node seals; a reader has nothing to do. */
    @Override
    public List<SealedEpoch> sealReadyEpochs() {
        return List.of();
    }

    /** Checks only: the batch node owns the files and writes a damaged one again at its next run. */
    @Override
    public void verify(List<LakeFile> files) {
        for (LakeFile f : files) {
            try {
                String damage = manifest(f.stream()).damage(f);
                if (damage != null) {
                    throw new IllegalStateException(damage + "; the batch node writes it again at its next run");
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot check lake file " + f.path(), e);
            }
        }
    }

    @Override
    public void close() {
        // holds no resources
    }

    @Override
    public String toString() {
        return "lake " + root + " (read-only)";
    }
}
