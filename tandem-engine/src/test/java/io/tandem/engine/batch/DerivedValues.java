package io.tandem.engine.batch;

import io.tandem.core.StreamDef;
import io.tandem.core.expr.Expressions;
import io.tandem.core.expr.FieldReader;
import io.tandem.spi.testkit.LakeEvent;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A derived field's value on each event, by the event's sequence, as the hot path computes it (Java) and as the
 * batch does (DuckDB over lake files); doubles by their bits, so that NaN equals NaN and -0.0 differs from 0.0.
 */
final class DerivedValues {

    private DerivedValues() {
    }

    static Map<Long, Object> inJava(String name, StreamDef stream, List<LakeEvent> events) {
        FieldReader reader = Expressions.reader(name, stream);
        Map<Long, Object> values = new TreeMap<>();
        for (LakeEvent e : events) {
            values.put(e.sequence(), comparable(reader.value(e.row(stream))));
        }
        return values;
    }

    /** The values of the SQL expression {@code value} over the lake files. */
    static Map<Long, Object> inDuckDb(String value, Connection duckdb, List<Path> files) throws SQLException {
        Map<Long, Object> values = new TreeMap<>();
        String query = "SELECT (CAST(\"_partition\" AS BIGINT) << 48) | \"_offset\", " + value + " FROM "
                + DuckDbBatchEngine.source(files);
        try (Statement s = duckdb.createStatement(); ResultSet rs = s.executeQuery(query)) {
            while (rs.next()) {
                values.put(rs.getLong(1), comparable(rs.getObject(2)));
            }
        }
        return values;
    }

    private static Object comparable(Object value) {
        return value instanceof Double d ? "double " + Long.toHexString(Double.doubleToLongBits(d)) : value;
    }
}
