package io.tandem.cli.ingest;

import io.tandem.core.StreamDef;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPInputStream;

/**
 * Where {@link IngestClient} reads events from: a file, gzip-compressed when its name ends in {@code .gz}, or a
 * stream such as standard input, which is read once.
 *
 * @param name   the file's name as given, or {@code -} for standard input; for messages
 * @param file   the file, or null for a stream
 * @param stream the stream, or null for a file
 * @param format NDJSON, CSV or Parquet
 * @param schema the stream's definition, which reading Parquet needs (its types are checked against the fields);
 *               null when not known
 */
public record EventInput(String name, Path file, InputStream stream, Format format, StreamDef schema) {

    /** The formats: one JSON object per line, CSV with a header line, or Parquet (a file only). */
    public enum Format {
        NDJSON, CSV, PARQUET;

        /** The file name endings of NDJSON and of CSV, each also with {@code .gz} after it. */
        static final List<String> NDJSON_ENDINGS = List.of(".ndjson", ".jsonl", ".json");

        /**
         * The format a file name says ({@code .ndjson}, {@code .jsonl}, {@code .json} or {@code .csv}, each
         * optionally followed by {@code .gz}).
         *
         * @throws IllegalArgumentException for any other name
         */
        public static Format of(String fileName) {
            String name = fileName.toLowerCase(Locale.ROOT);
            if (name.endsWith(".parquet")) {
                return PARQUET;
            }
            if (name.endsWith(".gz")) {
                name = name.substring(0, name.length() - 3);
            }
            if (name.endsWith(".csv")) {
                return CSV;
            }
            if (NDJSON_ENDINGS.stream().anyMatch(name::endsWith)) {
                return NDJSON;
            }
            throw new IllegalArgumentException("cannot tell the format of " + fileName + ": expected a name ending "
                    + "in .ndjson, .jsonl, .json, .csv (each optionally .gz) or .parquet, or give --format");
        }
    }

    /**
     * A file, in the given format or the one its name says.
     *
     * @param format NDJSON or CSV, or null to go by the name
     * @throws NoSuchFileException when the file does not exist
     */
    public static EventInput file(Path file, Format format) throws NoSuchFileException {
        if (!Files.exists(file)) {
            throw new NoSuchFileException(file.toString());
        }
        return new EventInput(file.toString(), file, null, format != null ? format : Format.of(file.toString()),
                null);
    }

    /** This input, read knowing the stream's fields (for Parquet). */
    public EventInput withSchema(StreamDef stream) {
        return new EventInput(name, file, this.stream, format, stream);
    }

    /** Standard input (or another stream), NDJSON unless {@code format} says CSV. */
    public static EventInput stream(InputStream in, Format format) {
        if (format == Format.PARQUET) {
            throw new IllegalArgumentException("--format parquet: Parquet is read from a file, not standard input");
        }
        return new EventInput("-", null, in, format != null ? format : Format.NDJSON, null);
    }

    /** The events' bytes, decompressed; a stream is returned as it is (once). */
    InputStream open() throws IOException {
        if (file == null) {
            return stream;
        }
        InputStream in = Files.newInputStream(file);
        return file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".gz") ? new GZIPInputStream(in, 1 << 16)
                : in;
    }
}
