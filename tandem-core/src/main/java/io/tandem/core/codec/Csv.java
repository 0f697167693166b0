package io.tandem.core.codec;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import io.tandem.core.FieldType;
import io.tandem.core.StreamDef;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Converts CSV with a header line (RFC 4180: {@code ,} separated, {@code "} quoted, {@code ""} for a quote, line
 * breaks allowed inside quotes) to NDJSON, one object per data row, keyed by the header's column names, for
 * {@link JsonEvents} to read. Empty lines are skipped.
 *
 * <p>Each value becomes, in this order: {@code null} when empty (quoted or not); a JSON boolean when it is
 * {@code true} or {@code false} in any case; a JSON number when it is already written as one ({@code 42},
 * {@code -1.5}, {@code 2e3}; not {@code 007}, {@code .5} or {@code 1,5}); otherwise a JSON string. Given a stream,
 * the columns it declares as {@code string} always become strings, so that {@code 007} or {@code 42} stay text.
 */
public final class Csv {

    /** JSON's own number syntax, so that a number is copied through exactly as written. */
    private static final Pattern JSON_NUMBER = Pattern.compile("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][-+]?[0-9]+)?");
    private static final CSVFormat FORMAT = CSVFormat.RFC4180.builder().setIgnoreEmptyLines(true).get();
    private static final JsonFactory JSON = new JsonFactoryBuilder()
            .rootValueSeparator((String) null)
            .disable(StreamWriteFeature.AUTO_CLOSE_TARGET)
            .build();

    private Csv() {
    }

    /**
     * Writes one JSON object per data row of {@code csv}, each followed by {@code \n}.
     *
     * @return the number of rows written
     * @throws IllegalArgumentException naming the line when the header has an empty or repeated name, or a row
     *                                  has a different number of values than the header
     * @throws IOException              when reading or writing fails, or the CSV is malformed (an unclosed quote)
     */
    public static long toNdjson(Reader csv, Writer ndjson) throws IOException {
        return convert(csv, ndjson, null);
    }

    /**
     * Like {@link #toNdjson(Reader, Writer)}, but the columns that {@code stream} declares as {@code string} are
     * always written as JSON strings.
     */
    public static long toNdjson(Reader csv, Writer ndjson, StreamDef stream) throws IOException {
        return convert(csv, ndjson, stream);
    }

    private static long convert(Reader csv, Writer ndjson, StreamDef stream) throws IOException {
        try (CSVParser parser = CSVParser.builder().setReader(csv).setFormat(FORMAT).get();
             JsonGenerator out = JSON.createGenerator(ndjson)) {
            Iterator<CSVRecord> records = parser.iterator();
            if (!records.hasNext()) {
                return 0;
            }
            List<String> header = header(records.next(), parser.getCurrentLineNumber());
            boolean[] textOnly = textColumns(header, stream);
            long rows = 0;
            while (records.hasNext()) {
                CSVRecord record = records.next();
                if (record.size() != header.size()) {
                    throw new IllegalArgumentException("line " + parser.getCurrentLineNumber() + ": " + record.size()
                            + " values, but the header has " + header.size() + " columns");
                }
                out.writeStartObject();
                for (int i = 0; i < header.size(); i++) {
                    out.writeFieldName(header.get(i));
                    writeValue(out, record.get(i), textOnly[i]);
                }
                out.writeEndObject();
                out.writeRaw('\n');
                rows++;
            }
            return rows;
        } catch (UncheckedIOException e) {
            throw e.getCause(); // commons-csv's iterator wraps its read and syntax errors
        }
    }

    private static List<String> header(CSVRecord record, long line) {
        List<String> names = new ArrayList<>();
        for (String name : record) {
            if (names.isEmpty() && name.startsWith("\uFEFF")) {
                name = name.substring(1); // byte order mark
            }
            if (name.isEmpty()) {
                throw new IllegalArgumentException("line " + line + ": column " + (names.size() + 1) + " has no name");
            }
            if (names.contains(name)) {
                throw new IllegalArgumentException("line " + line + ": column '" + name + "' appears twice");
            }
            names.add(name);
        }
        return names;
    }

    private static boolean[] textColumns(List<String> header, StreamDef stream) {
        boolean[] text = new boolean[header.size()];
        for (int i = 0; stream != null && i < text.length; i++) {
            int field = stream.indexOf(header.get(i));
            text[i] = field >= 0 && stream.field(field).type() == FieldType.STRING;
        }
        return text;
    }

    private static void writeValue(JsonGenerator out, String value, boolean textOnly) throws IOException {
        if (value.isEmpty()) {
            out.writeNull();
        } else if (textOnly) {
            out.writeString(value);
        } else if (value.equalsIgnoreCase("true") || value.equalsIgnoreCase("false")) {
            out.writeBoolean(value.equalsIgnoreCase("true"));
        } else if (JSON_NUMBER.matcher(value).matches()) {
            out.writeNumber(value);
        } else {
            out.writeString(value);
        }
    }
}
