package io.tandem.cli.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.tandem.core.StreamDef;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.apache.commons.csv.DuplicateHeaderMode;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A file of events cut into NDJSON request bodies of at most a given number of lines, each line remembering its
 * line number in the file. NDJSON lines are sent as they are; CSV rows become JSON objects keyed by the header.
 */
abstract class EventFile implements Closeable {

    /** One request body: its lines' numbers in the file, and the rows that could not be converted. */
    record Batch(int number, byte[] body, long[] fileLines, List<IngestResult.LineError> localErrors) {
    }

    private final InputStream in;
    final int batchLines;

    EventFile(InputStream in, int batchLines) {
        this.in = in;
        this.batchLines = batchLines;
    }

    /** Opens the input in its format. */
    static EventFile open(EventInput input, int batchLines) throws IOException {
        if (input.format() == EventInput.Format.PARQUET) {
            return new ParquetEvents(input.file(), input.name(), parquetSchema(input), batchLines);
        }
        InputStream in = input.open();
        return input.format() == EventInput.Format.CSV ? new Csv(in, input.name(), batchLines)
                : new Ndjson(in, input.name(), batchLines);
    }

    /**
     * The stream's definition that reading a Parquet file needs.
     *
     * @throws IllegalArgumentException when the input does not have it (tandem ingest, which has no config)
     */
    static StreamDef parquetSchema(EventInput input) {
        if (input.schema() == null) {
            throw new IllegalArgumentException(input.name() + ": Parquet is read by tandem replay, which maps its "
                    + "columns to the stream's fields from --config; tandem ingest sends NDJSON and CSV");
        }
        return input.schema();
    }

    /** The next body, or null at the end of the file. */
    abstract Batch next(int number) throws IOException;

    BufferedReader reader() {
        return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16);
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    /** NDJSON: one JSON value per non-blank line, sent unchanged. */
    private static final class Ndjson extends EventFile {
        private final BufferedReader reader;
        private final String name;
        private long lineNumber;

        Ndjson(InputStream in, String name, int batchLines) {
            super(in, batchLines);
            this.name = name;
            this.reader = reader();
        }

        @Override
        Batch next(int number) throws IOException {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            long[] lines = new long[batchLines];
            int n = 0;
            String line;
            while (n < batchLines && (line = reader.readLine()) != null) {
                lineNumber++;
                if (line.isBlank()) {
                    continue;
                }
                if (lineNumber == 1 && line.stripLeading().startsWith("[")) {
                    throw new IOException(name + " starts a JSON array: expected one JSON object per line (NDJSON)");
                }
                body.write(line.getBytes(StandardCharsets.UTF_8));
                body.write('\n');
                lines[n++] = lineNumber;
            }
            return n == 0 ? null : new Batch(number, body.toByteArray(), Arrays.copyOf(lines, n), List.of());
        }
    }

    /**
     * CSV with a header row (RFC 4180 quoting). Each row becomes a JSON object: integers and decimals become
     * numbers, {@code true}/{@code false} booleans, empty values are left out, anything else is a string.
     */
    private static final class Csv extends EventFile {
        private static final Pattern NUMBER = Pattern.compile("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?");
        private static final JsonFactory JSON = new JsonFactory();

        private final CSVParser parser;
        private final Iterator<CSVRecord> records;
        private final String[] header;

        Csv(InputStream in, String name, int batchLines) throws IOException {
            super(in, batchLines);
            CSVFormat format = CSVFormat.RFC4180.builder()
                    .setHeader()
                    .setSkipHeaderRecord(true)
                    .setIgnoreEmptyLines(true)
                    .setDuplicateHeaderMode(DuplicateHeaderMode.DISALLOW)
                    .get();
            try {
                this.parser = CSVParser.parse(reader(), format);
            } catch (IllegalArgumentException | UncheckedIOException e) {
                close();
                throw new IOException(name + ": bad header (line 1): " + e.getMessage(), e);
            }
            this.header = parser.getHeaderNames().toArray(String[]::new);
            if (header.length > 0 && header[0].startsWith("\uFEFF")) {
                header[0] = header[0].substring(1);
            }
            this.records = parser.iterator();
        }

        @Override
        Batch next(int number) throws IOException {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            long[] lines = new long[batchLines];
            List<IngestResult.LineError> errors = new ArrayList<>();
            int n = 0;
            try (JsonGenerator json = JSON.createGenerator(body)) {
                json.setRootValueSeparator(null);
                while (n < batchLines && records.hasNext()) {
                    CSVRecord record = records.next();
                    long line = firstLine(record);
                    if (record.size() != header.length) {
                        errors.add(new IngestResult.LineError(line, "expected " + header.length
                                + " values as in the header, got " + record.size()));
                        continue;
                    }
                    write(record, json);
                    json.flush();
                    body.write('\n');
                    lines[n++] = line;
                }
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
            if (n == 0 && errors.isEmpty()) {
                return null;
            }
            return new Batch(number, body.toByteArray(), Arrays.copyOf(lines, n), errors);
        }

        private void write(CSVRecord record, JsonGenerator json) throws IOException {
            json.writeStartObject();
            for (int i = 0; i < header.length; i++) {
                String value = record.get(i);
                if (value.isEmpty()) {
                    continue;
                }
                json.writeFieldName(header[i]);
                if (NUMBER.matcher(value).matches()) {
                    json.writeNumber(value);
                } else if (value.equalsIgnoreCase("true") || value.equalsIgnoreCase("false")) {
                    json.writeBoolean(value.equalsIgnoreCase("true"));
                } else {
                    json.writeString(value);
                }
            }
            json.writeEndObject();
        }

        /** The parser stands on the record's last line; quoted line breaks inside it move its start back. */
        private long firstLine(CSVRecord record) {
            long line = parser.getCurrentLineNumber();
            for (String value : record.values()) {
                for (int i = 0; i < value.length(); i++) {
                    char c = value.charAt(i);
                    if (c == '\n' || (c == '\r' && (i + 1 == value.length() || value.charAt(i + 1) != '\n'))) {
                        line--;
                    }
                }
            }
            return line;
        }

        @Override
        public void close() throws IOException {
            if (parser != null) {
                parser.close();
            }
            super.close();
        }
    }
}
