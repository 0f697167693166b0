package io.tandem.engine.duckdb;

import io.tandem.core.DuckDbDef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Every instance runs within the configured memory limit and spills into a folder of its own. */
class DuckDbTest {

    private static final long LIMIT = 64L << 20;

    @TempDir
    Path dir;

    @Test
    void anInstanceTakesTheLimitTheThreadsAndItsOwnSpillFolder() throws SQLException {
        Properties settings = new Properties();
        settings.setProperty("threads", "1");
        try (Connection c = new DuckDb(new DuckDbDef(LIMIT, 2), dir).open("writer", settings);
             Connection other = new DuckDb(new DuckDbDef(LIMIT, 2), dir).open("engine")) {
            assertThat(setting(c, "memory_limit")).isEqualTo("64.0 MiB");
            assertThat(setting(c, "threads")).isEqualTo("1");
            assertThat(setting(c, "temp_directory")).isEqualTo(dir.resolve("writer").toString());
            assertThat(setting(other, "threads")).isEqualTo("2");
            assertThat(setting(other, "temp_directory")).isEqualTo(dir.resolve("engine").toString());
        }
    }

    @Test
    void dataBeyondTheLimitSpillsIntoTheFolderAndReadsBackExactly() throws Exception {
        try (Connection c = new DuckDb(new DuckDbDef(LIMIT, 2), dir).open("big");
             Statement s = c.createStatement()) {
            // 3 M rows of a long and a 32-character string: about four times the limit
            s.execute("CREATE TABLE t AS SELECT range AS a, md5(range::VARCHAR) AS b FROM range(3000000)");
            try (ResultSet r = s.executeQuery("SELECT count(DISTINCT b), sum(a) FROM t")) {
                r.next();
                assertThat(r.getLong(1)).isEqualTo(3_000_000L);
                assertThat(r.getLong(2)).isEqualTo(3_000_000L * 2_999_999L / 2);
            }
            assertThat(files(dir.resolve("big"))).isPositive();
        }
    }

    @Test
    void whatACrashedProcessLeftInTheSpillFolderIsDeletedOnOpen() throws Exception {
        Path left = Files.createDirectories(dir.resolve("sql")).resolve("duckdb_temp_storage-0.tmp");
        Files.write(left, new byte[4096]);
        try (Connection c = new DuckDb(new DuckDbDef(LIMIT, 1), dir).open("sql")) {
            assertThat(left).doesNotExist();
            assertThat(setting(c, "temp_directory")).isEqualTo(dir.resolve("sql").toString());
        }
    }

    private static String setting(Connection c, String name) throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT current_setting('" + name + "')")) {
            r.next();
            return r.getString(1);
        }
    }

    private static long files(Path folder) throws Exception {
        try (Stream<Path> list = Files.list(folder)) {
            return list.count();
        }
    }
}
