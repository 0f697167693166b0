package io.tandem.cli.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.tandem.core.FieldType;
import io.tandem.core.StreamDef;
import io.tandem.core.UnknownFields;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import static io.tandem.core.expr.SqlColumns.quote;

/**
 * A Parquet file read with DuckDB, its columns mapped to the stream's fields by name and type, each row a JSON
 * object as the stream reads it; a row's "line" is its number, from 1.
 *
 * <pre>
 * field type   Parquet (DuckDB) column types taken
 * string       VARCHAR, ENUM, UUID
 * long         TINYINT .. BIGINT, HUGEINT, their unsigned kinds
 * double       FLOAT, DOUBLE, DECIMAL, and the integer types
 * boolean      BOOLEAN
 * timestamp    TIMESTAMP (any unit, with or without a time zone; read as UTC), DATE, or an integer of epoch ms
 * the time     as timestamp, written in the stream's time format; or an integer, decimal or VARCHAR column read
 * field        in that format as a CSV value would be
 * </pre>
 * A column the stream does not declare is skipped, or refused when the stream has {@code unknown_fields: reject}; a
 * declared field with no column is absent from every event; a file without the time field is refused. Nulls are
 * left out.
 */
final class ParquetEvents extends EventFile {

    private static final JsonFactory JSON = new JsonFactory();
    private static final Set<String> INTEGERS = Set.of("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT",
            "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT");

    /** How a column is written. */
    private enum Kind { STRING, NUMBER, BOOLEAN, MILLIS, TIME_MILLIS, TIME_AS_IS }

    private record Column(String name, Kind kind) {
    }

    private final StreamDef stream;
    private Connection connection;
    private ResultSet rows;
    private final List<Column> columns = new ArrayList<>();
    private long row;

    ParquetEvents(Path file, String name, StreamDef stream, int batchLines) throws IOException {
        super(InputStream.nullInputStream(), batchLines);
        this.stream = stream;
        String source = "read_parquet('" + file.toAbsolutePath().toString().replace("'", "''") + "')";
        try {
            this.connection = DriverManager.getConnection("jdbc:duckdb:");
            Statement statement = connection.createStatement();
            List<String> select = new ArrayList<>();
            try (ResultSet d = statement.executeQuery("DESCRIBE SELECT * FROM " + source)) {
                while (d.next()) {
                    String column = d.getString("column_name");
                    Kind kind = kind(name, column, d.getString("column_type").toUpperCase(Locale.ROOT));
                    if (kind != null) {
                        columns.add(new Column(column, kind));
                        select.add(kind == Kind.MILLIS || kind == Kind.TIME_MILLIS
                                ? "epoch_ms(CAST(" + quote(column) + " AS TIMESTAMP))" : quote(column));
                    }
                }
            }
            if (columns.stream().noneMatch(c -> c.kind == Kind.TIME_MILLIS || c.kind == Kind.TIME_AS_IS)) {
                throw new IOException(name + ": has no column '" + stream.timeField() + "', the time field of stream '"
                        + stream.name() + "'");
            }
            this.rows = statement.executeQuery("SELECT " + String.join(", ", select) + " FROM " + source);
        } catch (SQLException e) {
            close();
            throw new IOException(name + ": cannot read it as Parquet: " + e.getMessage(), e);
        }
    }

    /** The number of rows of a Parquet file, from its metadata. */
    static long rows(Path file) throws IOException {
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT count(*) FROM read_parquet('"
                     + file.toAbsolutePath().toString().replace("'", "''") + "')")) {
            r.next();
            return r.getLong(1);
        } catch (SQLException e) {
            throw new IOException(file + ": cannot read it as Parquet: " + e.getMessage(), e);
        }
    }

    /** How a column is written, or null to skip it; refuses a column whose type the field cannot take. */
    private Kind kind(String file, String column, String type) throws IOException {
        boolean timestamp = type.startsWith("TIMESTAMP") || type.equals("DATE");
        boolean integer = INTEGERS.contains(type);
        boolean number = integer || type.equals("FLOAT") || type.equals("DOUBLE") || type.startsWith("DECIMAL");
        if (column.equals(stream.timeField())) {
            if (timestamp) {
                return Kind.TIME_MILLIS;
            }
            if (number || type.equals("VARCHAR")) {
                return Kind.TIME_AS_IS;
            }
            throw mismatch(file, column, type, "the time field", "TIMESTAMP, DATE, a number or VARCHAR");
        }
        int i = stream.indexOf(column);
        if (i < 0) {
            if (stream.unknownFields() == UnknownFields.REJECT) {
                throw new IOException(file + ": column '" + column + "' is not a field of stream '" + stream.name()
                        + "', which rejects unknown fields (fields: " + stream.fieldNames() + ")");
            }
            return null;
        }
        FieldType t = stream.field(i).type();
        Kind kind = switch (t) {
            case STRING -> type.equals("VARCHAR") || type.startsWith("ENUM") || type.equals("UUID") ? Kind.STRING
                    : null;
            case LONG -> integer ? Kind.NUMBER : null;
            case DOUBLE -> number ? Kind.NUMBER : null;
            case BOOLEAN -> type.equals("BOOLEAN") ? Kind.BOOLEAN : null;
            case TIMESTAMP -> timestamp ? Kind.MILLIS : integer ? Kind.NUMBER : null;
        };
        if (kind == null) {
            throw mismatch(file, column, type, "field '" + column + "' is " + t.configName(), switch (t) {
                case STRING -> "VARCHAR, ENUM or UUID";
                case LONG -> "an integer type (TINYINT .. BIGINT, HUGEINT or unsigned)";
                case DOUBLE -> "FLOAT, DOUBLE, DECIMAL or an integer type";
                case BOOLEAN -> "BOOLEAN";
                case TIMESTAMP -> "TIMESTAMP, DATE or an integer of epoch milliseconds";
            });
        }
        return kind;
    }

    private IOException mismatch(String file, String column, String type, String what, String taken) {
        return new IOException(file + ": column '" + column + "' is " + type + ", but in stream '" + stream.name()
                + "' " + what + ": expected " + taken);
    }

    @Override
    Batch next(int number) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        long[] lines = new long[batchLines];
        int n = 0;
        try (JsonGenerator json = JSON.createGenerator(body)) {
            json.setRootValueSeparator(null);
            while (n < batchLines && rows.next()) {
                row++;
                json.writeStartObject();
                for (int i = 0; i < columns.size(); i++) {
                    write(columns.get(i), i + 1, json);
                }
                json.writeEndObject();
                json.flush();
                body.write('\n');
                lines[n++] = row;
            }
        } catch (SQLException e) {
            throw new IOException("reading row " + (row + 1) + ": " + e.getMessage(), e);
        }
        return n == 0 ? null : new Batch(number, body.toByteArray(), Arrays.copyOf(lines, n), List.of());
    }

    private void write(Column c, int index, JsonGenerator json) throws SQLException, IOException {
        String text = rows.getString(index);
        if (text == null) {
            return;
        }
        json.writeFieldName(c.name);
        switch (c.kind) {
            case STRING -> json.writeString(text);
            case NUMBER, MILLIS -> json.writeNumber(text);
            case BOOLEAN -> json.writeBoolean(rows.getBoolean(index));
            case TIME_MILLIS -> {
                String t = stream.timeFormat().write(rows.getLong(index));
                if (stream.timeFormat().writesNumbers()) {
                    json.writeNumber(t);
                } else {
                    json.writeString(t);
                }
            }
            case TIME_AS_IS -> {
                if (rows.getObject(index) instanceof String s) {
                    json.writeString(s);
                } else {
                    json.writeNumber(text);
                }
            }
        }
    }

    @Override
    public void close() throws IOException {
        try {
            if (connection != null) {
                connection.close();
            }
        } catch (SQLException e) {
            throw new IOException("closing DuckDB: " + e.getMessage(), e);
        }
        super.close();
    }
}
