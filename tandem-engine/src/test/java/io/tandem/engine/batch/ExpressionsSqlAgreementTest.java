package io.tandem.engine.batch;

import io.tandem.core.expr.Expressions;
import io.tandem.core.expr.RowPredicate;
import io.tandem.core.expr.SqlColumns;
import io.tandem.spi.testkit.BatchEngineContract;
import io.tandem.spi.testkit.LakeEvent;
import io.tandem.spi.testkit.LakeWriter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A condition translated to SQL passes exactly the rows its CEL predicate accepts, and a derived field's SQL value
 * is its Java value on every row, run by DuckDB over lake files of random events (nulls, -0.0, long extremes,
 * events before 1970).
 */
class ExpressionsSqlAgreementTest {

    @TempDir
    static Path lake;

    private static List<LakeEvent> events;
    private static List<Path> files;
    private static Connection duckdb;

    @BeforeAll
    static void writeLake() throws Exception {
        events = BatchEngineContract.events(11, 600);
        files = LakeWriter.write(lake, BatchEngineContract.STREAM, events);
        duckdb = DriverManager.getConnection("jdbc:duckdb:");
    }

    @AfterAll
    static void closeDuckDb() throws Exception {
        duckdb.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "q > 0", "q <= -3", "q == 7 || k != 1", "!(q > 1)", "!(q > 1) || b", "!b && !(p < 0.0)",
        "q * q > 1000000", "q + q > 0", "q - 1 < q", "-q > 0", "q / (k - k) > 0", "q / k >= 2", "q % k == 1",
        "q % -1 == 0", "k * 9223372036854775807 > 0",
        "p >= 0", "p > 0", "p < 0", "p <= 0", "0 <= p", "q < p", "double(q) > p", "p * 2.0 > 50.5",
        "-p < 1.0", "p == 0.0", "p != -0.0", "p >= -0.0 && q >= -0", "p / 0.0 > 1.0", "p / 0.0 != p / 0.0",
        "p - p == 0.0", "p in [0.0, 1.5]", "q in [1, -2, 3]", "s in ['a', 'é', '']",
        "s == 'ab'", "s != ''", "s.startsWith('a')", "s.endsWith('b')", "s.contains('')", "size(s) > 1",
        "s + 'x' == 'ax'", "b", "b == false", "b != (q > 0)", "b ? q > 0 : p > 0.0", "(q > 0 ? b : !b) || k == 2",
        "pq > 10.0", "qk % 2 == 1", "sx == 'ax'", "pos", "!pos && late > 0", "ratio != ratio",
        "ratio > 0.0 || pq < 0.0", "t >= 0", "t < ts", "ts < -90000", "ts % 60000 == 0", "t - ts > 1000",
        "k in [1] && s != 'b' || p > 1.0"})
    void when_conditionTranslates_then_duckDbPassesTheSameRows(String cel) throws Exception {
        String sql = Expressions.toSql(cel, BatchEngineContract.STREAM).orElseThrow();
        RowPredicate predicate = Expressions.predicate(cel, BatchEngineContract.STREAM);
        Set<Long> expected = new TreeSet<>();
        for (LakeEvent e : events) {
            if (predicate.test(e.row(BatchEngineContract.STREAM))) {
                expected.add(e.sequence());
            }
        }
        Set<Long> actual = new TreeSet<>();
        String query = "SELECT (CAST(\"_partition\" AS BIGINT) << 48) | \"_offset\" FROM "
                + DuckDbBatchEngine.source(files) + " WHERE " + sql;
        try (Statement s = duckdb.createStatement(); ResultSet rs = s.executeQuery(query)) {
            while (rs.next()) {
                actual.add(rs.getLong(1));
            }
        }
        assertThat(actual).as("%s as %s", cel, sql).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"pq", "qk", "sx", "pos", "late", "ratio"})
    void when_aDerivedFieldIsComputed_then_javaAndDuckDbGiveTheSameValueOnEveryRow(String name) throws Exception {
        Map<Long, Object> expected = DerivedValues.inJava(name, BatchEngineContract.STREAM, events);
        String value = SqlColumns.lake(BatchEngineContract.STREAM).value(name);
        assertThat(DerivedValues.inDuckDb(value, duckdb, files)).as("%s as %s", name, value).isEqualTo(expected);
        assertThat(expected.values()).as("%s is null on some rows and not on others", name)
                .containsNull().anyMatch(Objects::nonNull);
    }
}
