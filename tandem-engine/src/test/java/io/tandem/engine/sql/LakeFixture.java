package io.tandem.engine.sql;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Writes lake-like Parquet files with a plain DuckDB, the way the lake writer and the batch engine lay them out:
 * {@code <lake>/<stream>/epoch=<E>/part-<P>.parquet} and one file per batch-view version.
 */
public final class LakeFixture {

    private LakeFixture() {
    }

    /**
     * One epoch of trades: each row is {@code 'SYMBOL', price, qty, 'event time'} with arrival one second after
     * the event time.
     */
    public static void trades(Path lake, long epoch, String... rows) throws Exception {
        StringBuilder values = new StringBuilder();
        for (int i = 0; i < rows.length; i++) {
            values.append(i == 0 ? "" : ", ").append('(').append(rows[i]).append(", ").append(i).append(')');
        }
        Path file = lake.resolve("trades").resolve("epoch=" + epoch).resolve("part-0.parquet");
        write(file, "SELECT symbol::VARCHAR AS symbol, price::DOUBLE AS price, qty::BIGINT AS qty, "
                + "ts::TIMESTAMP AS ts, ts::TIMESTAMP + INTERVAL 1 SECOND AS _arrival, "
                + epoch + "::BIGINT AS _epoch, 0::INTEGER AS _partition, o::BIGINT AS _offset "
                + "FROM (VALUES " + values + ") v(symbol, price, qty, ts, o)");
    }

    /** Writes the result of a query to a Parquet file, creating its folder. */
    public static void write(Path file, String select) throws SQLException, IOException {
        Files.createDirectories(file.getParent());
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
            s.execute("COPY (" + select + ") TO '" + file + "' (FORMAT parquet)");
        }
    }
}
