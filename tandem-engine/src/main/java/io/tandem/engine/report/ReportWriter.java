package io.tandem.engine.report;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tandem.engine.duckdb.DuckDb;
import io.tandem.engine.durable.Durable;
import io.tandem.engine.sql.SqlResult;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static io.tandem.core.expr.SqlColumns.quote;

/**
 * Writes a result as CSV, JSON or Parquet so that the file appears whole or not at all: into a temp file in the
 * same folder ({@code .<name>.<random>.tmp}), fsync, rename over the target, fsync the folder.
 *
 * <ul>
 *   <li>CSV: RFC 4180 (a header line, CRLF line ends, fields quoted when they hold a comma, a quote or a line
 *       break); null is an empty field, lists and structs are JSON text.</li>
 *   <li>JSON: an array of objects, one row per line.</li>
 *   <li>Parquet: the rows go into a table of the result's own column types in a private in-memory DuckDB that runs
 *       nothing but these statements (never the SQL sandbox, whose file access is locked), then {@code COPY} to the
 *       temp file.</li>
 * </ul>
 */
final class ReportWriter implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper().disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);

    private final DuckDb duckdb;
    private Connection duck;

    /** @param duckdb opens the writer's own DuckDB instance, {@code report-writer}, on the first Parquet report */
    ReportWriter(DuckDb duckdb) {
        this.duckdb = duckdb;
    }

    /** Writes the rows to {@code target}, replacing it atomically; returns the number of rows. */
    long write(SqlResult result, String format, Path target) throws IOException {
        Path dir = target.getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
        try {
            switch (format) {
                case "csv" -> text(tmp, w -> csv(result, w));
                case "json" -> text(tmp, w -> json(result, w));
                case "parquet" -> parquet(result, tmp);
                default -> throw new IllegalArgumentException("format: expected csv, parquet or json, got " + format);
            }
            Durable.publish(tmp, target);
            return result.rows().size();
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Something that writes text. */
    private interface TextBody {
        void write(Writer w) throws IOException;
    }

    private static void text(Path file, TextBody body) throws IOException {
        try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.TRUNCATE_EXISTING);
             Writer w = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8))) {
            body.write(w);
        }
    }

    private static void csv(SqlResult result, Writer w) throws IOException {
        List<Object> header = new ArrayList<>(result.columns());
        csvLine(header, w);
        for (List<Object> row : result.rows()) {
            csvLine(row, w);
        }
    }

    private static void csvLine(List<Object> values, Writer w) throws IOException {
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                w.write(',');
            }
            String field = csvText(values.get(i));
            boolean quote = field.indexOf(',') >= 0 || field.indexOf('"') >= 0 || field.indexOf('\n') >= 0
                    || field.indexOf('\r') >= 0;
            w.write(quote ? '"' + field.replace("\"", "\"\"") + '"' : field);
        }
        w.write("\r\n");
    }

    private static String csvText(Object v) throws IOException {
        if (v == null) {
            return "";
        }
        if (v instanceof BigDecimal d) {
            return d.toPlainString();
        }
        if (v instanceof List<?> || v instanceof Map<?, ?>) {
            return JSON.writeValueAsString(v);
        }
        return v.toString();
    }

    private static void json(SqlResult result, Writer w) throws IOException {
        w.write('[');
        List<String> columns = result.columns();
        for (int r = 0; r < result.rows().size(); r++) {
            w.write(r == 0 ? "\n" : ",\n");
            Map<String, Object> object = new LinkedHashMap<>();
            List<Object> row = result.rows().get(r);
            for (int i = 0; i < columns.size(); i++) {
                object.put(columns.get(i), row.get(i));
            }
            JSON.writeValue(w, object);
        }
        w.write(result.rows().isEmpty() ? "]\n" : "\n]\n");
    }

    private synchronized void parquet(SqlResult result, Path file) throws IOException {
        try {
            if (duck == null) {
                duck = duckdb.open("report-writer");
            }
            List<String> columns = new ArrayList<>();
            List<String> values = new ArrayList<>();
            for (int i = 0; i < result.columns().size(); i++) {
                String type = ddlType(result, i);
                columns.add(quote(result.columns().get(i)) + " " + type);
                values.add(type.equals("BLOB") ? "from_base64(?)"
                        : nested(type) ? "CAST(CAST(? AS JSON) AS " + type + ")" : "CAST(? AS " + type + ")");
            }
            try (Statement s = duck.createStatement()) {
                s.execute("CREATE OR REPLACE TEMP TABLE report_rows (" + String.join(", ", columns) + ")");
            }
            duck.setAutoCommit(false);
            try (PreparedStatement insert = duck.prepareStatement("INSERT INTO report_rows VALUES ("
                    + String.join(", ", values) + ")")) {
                for (List<Object> row : result.rows()) {
                    for (int i = 0; i < row.size(); i++) {
                        Object v = row.get(i);
                        insert.setString(i + 1, v == null ? null
                                : v instanceof List<?> || v instanceof Map<?, ?> ? JSON.writeValueAsString(v)
                                : v instanceof BigDecimal d ? d.toPlainString() : v.toString());
                    }
                    insert.addBatch();
                }
                insert.executeBatch();
                duck.commit();
            } catch (SQLException e) {
                duck.rollback();
                throw e;
            } finally {
                duck.setAutoCommit(true);
            }
            try (Statement s = duck.createStatement()) {
                s.execute("COPY report_rows TO '" + file.toString().replace("'", "''") + "' (FORMAT parquet)");
                s.execute("DROP TABLE report_rows");
            }
        } catch (SQLException e) {
            throw new IOException("cannot write Parquet " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * A column type DuckDB accepts in a table definition and Parquet keeps: enums become text, and 128-bit integers
     * (what {@code sum} of a BIGINT gives), which Parquet would store as DOUBLE, become BIGINT when every value fits
     * and DECIMAL(38,0) otherwise.
     */
    private static String ddlType(SqlResult result, int column) {
        String type = result.types().get(column);
        if (type.startsWith("ENUM") || type.equals("NULL") || type.equals("\"NULL\"")) {
            return "VARCHAR";
        }
        if (type.equals("HUGEINT") || type.equals("UHUGEINT")) {
            boolean fits = result.rows().stream().map(r -> r.get(column))
                    .allMatch(v -> !(v instanceof BigInteger b) || b.bitLength() < Long.SIZE);
            return fits ? "BIGINT" : "DECIMAL(38,0)";
        }
        return type;
    }

    private static boolean nested(String type) {
        String t = type.toUpperCase(Locale.ROOT);
        return t.endsWith("]") || t.startsWith("STRUCT") || t.startsWith("MAP") || t.startsWith("UNION");
    }


    @Override
    public synchronized void close() {
        if (duck != null) {
            try {
                duck.close();
            } catch (SQLException e) {
                throw new IllegalStateException("closing the report writer's DuckDB failed", e);
            }
        }
    }
}
