package io.tandem.spi.testkit;

import io.tandem.core.FieldDef;
import io.tandem.core.StreamDef;
import io.tandem.core.expr.SqlColumns;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes events as the lake does, {@code <lake>/<stream>/epoch=<E>/part-<P>.parquet} with the columns of
 * {@link SqlColumns}, using a DuckDB database of its own.
 */
public final class LakeWriter {

    private LakeWriter() {
    }

    /** @return the files written, one per (epoch, partition) that has events */
    public static List<Path> write(Path lake, StreamDef stream, List<LakeEvent> events) throws IOException {
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
            List<String> staging = new ArrayList<>();
            List<String> output = new ArrayList<>();
            for (FieldDef f : stream.fields()) {
                String column = SqlColumns.quote(f.name());
                switch (f.type()) {
                    case STRING -> staging.add(column + " VARCHAR");
                    case LONG, TIMESTAMP -> staging.add(column + " BIGINT");
                    case DOUBLE -> staging.add(column + " DOUBLE");
                    case BOOLEAN -> staging.add(column + " BOOLEAN");
                    default -> throw new IllegalStateException(f.type().toString());
                }
                output.add(switch (f.type()) {
                    case TIMESTAMP -> timestamp(column) + " AS " + column;
                    default -> column;
                });
            }
            boolean declaredTime = stream.indexOf(stream.timeField()) >= 0;
            String time = SqlColumns.quote(declaredTime ? "_time" : stream.timeField());
            staging.add(time + " BIGINT");
            staging.add("\"_arrival\" BIGINT");
            staging.add("\"_epoch\" BIGINT");
            staging.add("\"_partition\" INTEGER");
            staging.add("\"_offset\" BIGINT");
            if (!declaredTime) {
                output.add(timestamp(time) + " AS " + time);
            }
            output.add(timestamp("\"_arrival\"") + " AS \"_arrival\"");
            output.add("\"_epoch\"");
            output.add("\"_partition\"");
            output.add("\"_offset\"");
            s.execute("CREATE TABLE events (" + String.join(", ", staging) + ")");
            int n = stream.fields().size();
            Map<String, Path> files = new TreeMap<>();
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO events VALUES (" + "?, ".repeat(n + 4)
                    + "?)")) {
                for (LakeEvent e : events) {
                    for (int i = 0; i < n; i++) {
                        insert.setObject(i + 1, e.values()[i]);
                    }
                    insert.setLong(n + 1, e.eventTime());
                    insert.setLong(n + 2, e.arrivalTime());
                    insert.setLong(n + 3, e.epoch());
                    insert.setInt(n + 4, e.partition());
                    insert.setLong(n + 5, e.offset());
                    insert.addBatch();
                    files.put(e.epoch() + "/" + e.partition(), lake.resolve(stream.name()).resolve("epoch=" + e.epoch())
                            .resolve("part-" + e.partition() + ".parquet"));
                }
                insert.executeBatch();
            }
            for (Map.Entry<String, Path> f : files.entrySet()) {
                String[] key = f.getKey().split("/");
                Files.createDirectories(f.getValue().getParent());
                s.execute("COPY (SELECT " + String.join(", ", output) + " FROM events WHERE \"_epoch\" = " + key[0]
                        + " AND \"_partition\" = " + key[1] + " ORDER BY \"_offset\") TO "
                        + SqlColumns.literal(f.getValue().toString()) + " (FORMAT parquet)");
            }
            return List.copyOf(files.values());
        } catch (SQLException e) {
            throw new IOException(e);
        }
    }

    private static String timestamp(String millis) {
        return "make_timestamp(" + millis + " * 1000)";
    }
}
