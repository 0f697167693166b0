package io.tandem.engine.sql;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tandem.engine.duckdb.DuckDb;
import org.duckdb.DuckDBConnection;
import org.duckdb.DuckDBResultSetMetaData;
import org.duckdb.DuckDBStruct;
import org.duckdb.StatementReturnType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Blob;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static io.tandem.core.expr.SqlColumns.literal;
import static io.tandem.core.expr.SqlColumns.quote;

/**
 * Read-only SQL over the lake: each stream is a table, and so is each view's current batch version.
 *
 * <p><b>The sandbox.</b> User SQL runs in an in-memory DuckDB instance of its own, never shared with a writer
 * (DuckDB's external-access settings hold per instance). It is opened with the properties
 * {@code allowed_directories=['<lake>/', '<batch views>/']}, {@code enable_external_access=false},
 * {@code autoinstall_known_extensions=false}, {@code autoload_known_extensions=false} and
 * {@code lock_configuration=true}, given in that order; since the JDBC driver copies them into a hash table, the
 * constructor reads the settings back and refuses to start unless every one is in force. DuckDB then refuses to
 * read, glob or attach any file outside those two folders, to install or load extensions, and to change any setting.
 *
 * <p><b>The read-only check.</b> The sandbox still lets SQL write inside the allowed folders ({@code COPY ... TO})
 * and change its own catalog ({@code CREATE}, {@code DROP}). So before a text runs, DuckDB's own parser reads it
 * through {@code json_serialize_sql}, which serializes SELECT statements only: the text must hold exactly one
 * statement, and it must be a query ({@code SELECT}, {@code WITH ... SELECT}, {@code FROM ...}, {@code VALUES},
 * {@code DESCRIBE}, {@code SUMMARIZE}, set operations). The statement is then prepared alone, and must return rows.
 * No keyword matching is involved, so comments, case and whitespace cannot hide a statement.
 *
 * <p><b>Limits.</b> A timer cancels a statement still running at its time limit (default 10 s). Results are
 * streamed, and reading stops at the row limit (default 10,000 rows) with {@link SqlResult#truncated()} set.
 *
 * <p>Queries may run concurrently, each on its own connection to the instance. Tables are views over
 * {@code read_parquet}, so new Parquet files under a glob show up in the next query without any call here.
 */
public final class SqlService implements AutoCloseable {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    /** Queries that run at once; one more is refused (HTTP 429) rather than queued behind them. */
    public static final int MAX_CONCURRENT = 4;
    /** How long a look for symbolic links in the lake holds. */
    static final long SYMLINK_RECHECK_MS = 5_000;
    /** Functions that read files other than as Parquet, or show settings (and so paths). */
    private static final Set<String> REFUSED_FUNCTIONS = Set.of("read_text", "read_blob", "read_csv",
            "read_csv_auto", "sniff_csv", "read_json", "read_json_auto", "read_json_objects",
            "read_json_objects_auto", "read_ndjson", "read_ndjson_auto", "read_ndjson_objects", "glob",
            "current_setting", "duckdb_settings", "duckdb_secrets", "which_secret", "duckdb_temporary_files",
            "duckdb_databases", "duckdb_extensions", "getenv");
    /** Functions that run SQL given as a string, which the parse of the query cannot look into. */
    private static final Set<String> RUNS_TEXT = Set.of("query", "query_table");
    public static final long DEFAULT_MAX_ROWS = 10_000;
    /** The deepest parentheses a query may nest (DuckDB itself refuses expressions nested deeper than 1,000). */
    public static final int MAX_NESTING = 250;

    private static final Logger LOG = LoggerFactory.getLogger(SqlService.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern MISSING_TABLE = Pattern.compile("Table with name (\\S+) does not exist");
    private static final String QUERY_KINDS = "SELECT, WITH, FROM, VALUES, DESCRIBE or SUMMARIZE";
    private static final Set<String> QUERY_WORDS =
            Set.of("SELECT", "WITH", "FROM", "VALUES", "DESCRIBE", "SUMMARIZE", "TABLE");

    private final String lakeDir;
    private final String viewsDir;
    private final Duration timeout;
    private final long maxRows;
    private final DuckDBConnection db;
    private final ScheduledExecutorService timer;
    private final Semaphore running = new Semaphore(MAX_CONCURRENT);
    private long symlinksCheckedAt = Long.MIN_VALUE / 2;
    private String symlink;
    /** Table name to the glob or file it reads, for the tables that exist. */
    private volatile Map<String, String> tables = Map.of();
    /** Table name to the glob or file it would read, for the tables with no file yet. */
    private volatile Map<String, String> empty = Map.of();

    /** A sandbox over two folders with the default limits: 10 s and 10,000 rows. */
    public SqlService(Path lakeDir, Path batchViewsDir, DuckDb duckdb) {
        this(lakeDir, batchViewsDir, duckdb, DEFAULT_TIMEOUT, DEFAULT_MAX_ROWS);
    }

    /**
     * Opens the sandbox. The folders are created when missing.
     *
     * @param lakeDir       the lake: {@code <lake>/<stream>/epoch=<E>/part-<P>.parquet}
     * @param batchViewsDir where the batch views' versions are
     * @param duckdb        the instance's memory limit, threads and spill folder
     * @param timeout       the default time limit of {@link #query(String)}
     * @param maxRows       the default row limit of {@link #query(String)}
     * @throws IllegalStateException when DuckDB does not start with every sandbox setting in force
     */
    public SqlService(Path lakeDir, Path batchViewsDir, DuckDb duckdb, Duration timeout, long maxRows) {
        this.lakeDir = directory(lakeDir);
        this.viewsDir = directory(batchViewsDir);
        this.timeout = timeout;
        this.maxRows = maxRows;
        Properties p = new Properties();
        p.setProperty("allowed_directories", "[" + literal(this.lakeDir) + ", " + literal(this.viewsDir) + "]");
        p.setProperty("enable_external_access", "false");
        p.setProperty("autoinstall_known_extensions", "false");
        p.setProperty("autoload_known_extensions", "false");
        p.setProperty("lock_configuration", "true");
        p.setProperty("jdbc_stream_results", "true");
        try {
            this.db = duckdb.open("sql", p);
            checkSandbox();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot open the SQL sandbox: " + e.getMessage(), e);
        }
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tandem-sql-timer");
            t.setDaemon(true);
            return t;
        });
    }

    /** Where the stream's sealed epochs are: {@code <lake>/<stream>/*}{@code /*.parquet}. */
    public static String lakeGlob(Path lakeDir, String stream) {
        return lakeDir.toAbsolutePath().normalize().resolve(stream) + "/*/*.parquet";
    }

    private static String directory(Path dir) {
        Path abs = dir.toAbsolutePath().normalize();
        try {
            Files.createDirectories(abs);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + abs, e);
        }
        return abs + "/";
    }

    private void checkSandbox() throws SQLException {
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("enable_external_access", "false");
        expected.put("autoinstall_known_extensions", "false");
        expected.put("autoload_known_extensions", "false");
        expected.put("lock_configuration", "true");
        try (Statement s = db.createStatement();
             ResultSet rs = s.executeQuery("SELECT name, CAST(value AS VARCHAR) FROM duckdb_settings() WHERE name IN "
                     + "('allowed_directories', 'enable_external_access', 'autoinstall_known_extensions', "
                     + "'autoload_known_extensions', 'lock_configuration')")) {
            Map<String, String> actual = new LinkedHashMap<>();
            while (rs.next()) {
                actual.put(rs.getString(1), rs.getString(2));
            }
            for (Map.Entry<String, String> e : expected.entrySet()) {
                if (!e.getValue().equalsIgnoreCase(String.valueOf(actual.get(e.getKey())))) {
                    throw new IllegalStateException("the SQL sandbox did not take " + e.getKey() + "=" + e.getValue()
                            + " (it is " + actual.get(e.getKey()) + ")");
                }
            }
            String allowed = String.valueOf(actual.get("allowed_directories"));
            if (!allowed.contains(lakeDir) || !allowed.contains(viewsDir)) {
                throw new IllegalStateException("the SQL sandbox did not take allowed_directories (it is "
                        + allowed + ")");
            }
        }
    }

    /**
     * Replaces the tables: one view per entry, over {@code read_parquet} of a glob (union by name across files, so
     * epochs written before a field was added still read) or of one file. Hive partitioning is off on purpose: the
     * folder's {@code epoch=E} would silently replace a declared field named {@code epoch}, and every row carries
     * {@code _epoch} anyway, which DuckDB prunes by on the Parquet statistics. A table whose glob or file matches
     * nothing yet is empty when {@code emptyWhenMissing} gives its columns, otherwise left out, and a query that
     * names it is told so. Tables not in the map are dropped.
     *
     * @param tableToParquetGlobOrFile table name ({@code [A-Za-z_][A-Za-z0-9_]*}) to an absolute glob or file under
     *                                 the lake or the batch-views folder
     * @param emptyWhenMissing         table name to a query of no rows with the table's columns, for a table whose
     *                                 files do not exist yet (a stream before its first sealed epoch)
     * @throws IllegalArgumentException for a bad name, or a path outside the two folders
     */
    public synchronized void setTables(Map<String, String> tableToParquetGlobOrFile,
                                       Map<String, String> emptyWhenMissing) {
        Map<String, String> present = new LinkedHashMap<>();
        Map<String, String> missing = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, String> e : tableToParquetGlobOrFile.entrySet()) {
                String name = e.getKey();
                String path = Path.of(e.getValue()).toAbsolutePath().normalize().toString();
                if (!NAME.matcher(name).matches()) {
                    throw new IllegalArgumentException("table name: expected [A-Za-z_][A-Za-z0-9_]*, got \""
                            + name + "\"");
                }
                if (!path.startsWith(lakeDir) && !path.startsWith(viewsDir)) {
                    throw new IllegalArgumentException("table " + name + ": " + path + " is outside the lake ("
                            + lakeDir + ") and the batch views (" + viewsDir + ")");
                }
                String source = "read_parquet(" + literal(path) + ", hive_partitioning = false, union_by_name = true)";
                try {
                    execute("CREATE OR REPLACE VIEW " + quote(name) + " AS SELECT * FROM " + source);
                    present.put(name, path);
                } catch (SQLException noFile) {
                    if (!String.valueOf(noFile.getMessage()).contains("No files found")) {
                        throw noFile;
                    }
                    if (emptyWhenMissing.containsKey(name)) {
                        execute("CREATE OR REPLACE VIEW " + quote(name) + " AS " + emptyWhenMissing.get(name));
                        present.put(name, path);
                    } else {
                        execute("DROP VIEW IF EXISTS " + quote(name));
                        missing.put(name, path);
                    }
                }
            }
            for (String old : tables.keySet()) {
                if (!present.containsKey(old)) {
                    execute("DROP VIEW IF EXISTS " + quote(old));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create the SQL tables: " + e.getMessage(), e);
        }
        tables = Collections.unmodifiableMap(present);
        empty = Collections.unmodifiableMap(missing);
    }

    /** Runs one statement of ours on the instance (a failed statement is closed by the driver: one each). */
    private void execute(String statement) throws SQLException {
        try (Statement s = db.createStatement()) {
            s.execute(statement);
        }
    }

    /** The tables a query can read now, by name, with the glob or file each reads. */
    public Map<String, String> tables() {
        return tables;
    }

    /** A setting of the sandbox's DuckDB as it is now, read past the sandbox (which refuses to show settings). */
    String setting(String name) throws SQLException {
        try (Connection c = db.duplicate(); PreparedStatement ps = c.prepareStatement("SELECT CAST(current_setting(?) "
                + "AS VARCHAR)")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    /** Runs one read-only query with the default time and row limits. */
    public SqlResult query(String sql) {
        return query(sql, timeout, maxRows);
    }

    /**
     * Runs one read-only query.
     *
     * @param maxRows rows to return at most; {@link Long#MAX_VALUE} for all of them
     * @throws SqlException when the SQL is refused or fails, or runs past {@code timeout}
     */
    public SqlResult query(String sql, Duration timeout, long maxRows) {
        if (sql == null || sql.isBlank()) {
            throw new SqlException("empty query: send one " + QUERY_KINDS + " statement");
        }
        if (!running.tryAcquire()) {
            throw new SqlException(MAX_CONCURRENT + " queries are running, as many as run at once; retry when one "
                    + "has ended", true);
        }
        long started = System.nanoTime();
        try (Connection c = db.duplicate(); Statement st = c.createStatement()) {
            checkOneQuery(c, sql);
            checkNoSymlinks();
            return run(st, sql, timeout, maxRows, started);
        } catch (SQLException e) {
            throw translate(e);
        } finally {
            running.release();
        }
    }

    /**
     * Checks a query without running it: it must be one read-only query, and DuckDB must bind it to the tables (every
     * table, column and function it names must exist, with types that fit).
     *
     * @throws SqlException with the reason, worded as {@link #query(String)} would
     */
    public void check(String sql) {
        if (sql == null || sql.isBlank()) {
            throw new SqlException("empty query: send one " + QUERY_KINDS + " statement");
        }
        try (Connection c = db.duplicate()) {
            prepare(c, sql).close();
        } catch (SQLException e) {
            throw translate(e);
        }
    }

    /** Parses, refuses anything but one query, and prepares (binds) it. */
    private static PreparedStatement prepare(Connection c, String sql) throws SQLException {
        checkOneQuery(c, sql);
        PreparedStatement ps = c.prepareStatement(sql);
        if (((DuckDBResultSetMetaData) ps.getMetaData()).getReturnType() != StatementReturnType.QUERY_RESULT) {
            ps.close();
            throw refused(sql);
        }
        return ps;
    }

    /**
     * Prepares and runs the query, both under the time limit: DuckDB evaluates constant expressions while it
     * prepares, however costly ({@code repeat('x', 4000000000)}), and a statement cancelled then stops there.
     * {@link #checkOneQuery} has made sure it is one read-only query.
     */
    private SqlResult run(Statement st, String sql, Duration timeout, long maxRows, long started)
            throws SQLException {
        AtomicBoolean timedOut = new AtomicBoolean();
        ScheduledFuture<?> cancel = timer.schedule(() -> {
            timedOut.set(true);
            try {
                st.cancel();
            } catch (SQLException e) {
                LOG.debug("cancelling a query past its time limit failed", e);
            }
        }, timeout.toMillis(), TimeUnit.MILLISECONDS);
        try (ResultSet rs = st.executeQuery(sql)) {
            ResultSetMetaData md = rs.getMetaData();
            int n = md.getColumnCount();
            List<String> columns = new ArrayList<>(n);
            List<String> types = new ArrayList<>(n);
            for (int i = 1; i <= n; i++) {
                columns.add(md.getColumnLabel(i));
                types.add(md.getColumnTypeName(i));
            }
            List<List<Object>> rows = new ArrayList<>();
            boolean truncated = false;
            while (rs.next()) {
                if (rows.size() >= maxRows) {
                    truncated = true;
                    break;
                }
                Object[] row = new Object[n];
                for (int i = 0; i < n; i++) {
                    row[i] = value(rs, i + 1, types.get(i));
                }
                rows.add(Collections.unmodifiableList(Arrays.asList(row)));
            }
            cancel.cancel(false);
            if (timedOut.get()) {
                throw timeLimit(timeout);
            }
            return new SqlResult(columns, types, rows, truncated,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        } catch (SQLException e) {
            if (timedOut.get()) {
                throw timeLimit(timeout);
            }
            throw e;
        } finally {
            cancel.cancel(false);
        }
    }

    private static SqlException timeLimit(Duration timeout) {
        return new SqlException("query cancelled: it ran past the time limit of " + seconds(timeout)
                + "; narrow it (a WHERE on the time column, fewer joins) or aggregate more");
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    /**
     * Refuses the functions that read files as anything but Parquet, or that show settings: the sandbox's allowed
     * folders also hold the runs' history and the manifests, and its settings name paths.
     */
    private static void checkFunctions(JsonNode parsed) {
        List<String> names = new ArrayList<>();
        parsed.findValues("function_name").forEach(n -> names.add(n.asText().toLowerCase(Locale.ROOT)));
        for (String name : names) {
            if (RUNS_TEXT.contains(name)) {
                throw new SqlException(name + " is refused here: it runs SQL given as a string, which the sandbox "
                        + "cannot check; write that SQL in the query itself");
            }
            if (REFUSED_FUNCTIONS.contains(name)) {
                throw new SqlException(name + " is refused here: the SQL reads the lake and the batch views as "
                        + "Parquet (their tables, or read_parquet over their files) and shows no settings");
            }
        }
    }

    /**
     * Refuses a file named where a table goes ({@code FROM 'runs.jsonl'}) unless it is Parquet: DuckDB reads it with
     * the reader its name suggests, as the refused functions would.
     */
    private static void checkFileTables(JsonNode parsed) {
        for (JsonNode table : parsed.findParents("table_name")) {
            String name = table.path("table_name").asText();
            if ("BASE_TABLE".equals(table.path("type").asText()) && name.matches(".*[./\\\\].*")
                    && !name.toLowerCase(Locale.ROOT).endsWith(".parquet")) {
                throw new SqlException("FROM '" + name + "' is refused here: the SQL reads the lake and the batch "
                        + "views as Parquet (their tables, or read_parquet over their files)");
            }
        }
    }

    /**
     * Refuses every query while the lake or the batch views hold a symbolic link, which a glob would follow out of
     * them; looked for again at most every {@link #SYMLINK_RECHECK_MS}.
     */
    private void checkNoSymlinks() {
        long now = System.currentTimeMillis();
        String found;
        synchronized (this) {
            if (now - symlinksCheckedAt >= SYMLINK_RECHECK_MS) {
                symlink = firstSymlink(Path.of(lakeDir), Path.of(viewsDir));
                symlinksCheckedAt = now;
            }
            found = symlink;
        }
        if (found != null) {
            throw new SqlException("the SQL is refused while the lake or the batch views hold a symbolic link, "
                    + "which could lead out of them: " + found + "; remove it");
        }
    }

    private static String firstSymlink(Path... dirs) {
        for (Path dir : dirs) {
            try (Stream<Path> all = Files.walk(dir)) {
                var link = all.filter(Files::isSymbolicLink).findFirst();
                if (link.isPresent()) {
                    return link.get().toString();
                }
            } catch (IOException | UncheckedIOException e) {
                LOG.debug("looking for symbolic links in {}: {}", dir, e.toString());
            }
        }
        return null;
    }

    /**
     * DuckDB's parser decides: exactly one statement, and a SELECT-like one. Text that opens parentheses deeper than
     * {@link #MAX_NESTING} is refused before it gets there: the parser's memory grows steeply with the depth of
     * parentheses left open (3,000 take 1.5 GB, 50,000 more than a machine has), outside DuckDB's memory limit.
     */
    private static void checkOneQuery(Connection c, String sql) throws SQLException {
        checkNesting(sql);
        JsonNode parsed;
        try (PreparedStatement ps = c.prepareStatement("SELECT CAST(json_serialize_sql(?::VARCHAR) AS VARCHAR)")) {
            ps.setString(1, sql);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                parsed = JSON.readTree(rs.getString(1));
            }
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("DuckDB's parser answered with bad JSON", e);
        }
        if (parsed.path("error").asBoolean()) {
            if ("not implemented".equals(parsed.path("error_type").asText())) {
                throw refused(sql);
            }
            String position = parsed.path("position").asText("");
            throw new SqlException(parsed.path("error_message").asText("cannot parse the query")
                    + (position.isEmpty() ? "" : " (at character " + (Long.parseLong(position) + 1) + ")"));
        }
        checkFunctions(parsed);
        checkFileTables(parsed);
        int statements = parsed.path("statements").size();
        if (statements == 0) {
            throw new SqlException("empty query: send one " + QUERY_KINDS + " statement");
        }
        if (statements > 1) {
            throw new SqlException("expected one statement, got " + statements + "; send one query at a time");
        }
    }

    /** Refuses parentheses nested deeper than {@link #MAX_NESTING}, not counting those in quotes or comments. */
    static void checkNesting(String sql) {
        int depth = 0;
        int i = 0;
        while (i < sql.length()) {
            char c = sql.charAt(i);
            if (c == '\'' || c == '"') {
                int end = sql.indexOf(c, i + 1);
                i = end < 0 ? sql.length() : end + 1;
            } else if (sql.startsWith("--", i)) {
                int end = sql.indexOf('\n', i);
                i = end < 0 ? sql.length() : end + 1;
            } else if (sql.startsWith("/*", i)) {
                int end = sql.indexOf("*/", i + 2);
                i = end < 0 ? sql.length() : end + 2;
            } else {
                depth += c == '(' ? 1 : c == ')' ? -1 : 0;
                if (depth > MAX_NESTING) {
                    throw new SqlException("parentheses nested deeper than " + MAX_NESTING + " (at character "
                            + (i + 1) + ") are refused; write the query with fewer levels");
                }
                i++;
            }
        }
    }

    private static SqlException refused(String sql) {
        String word = firstWord(sql);
        return new SqlException("only a single read-only query is allowed (" + QUERY_KINDS + "); "
                + (QUERY_WORDS.contains(word) || word.isEmpty()
                ? "the text holds a statement that is not a query"
                : word + " is refused"));
    }

    /** The first word after any spaces, comments and parentheses, upper case; only used to word a refusal. */
    static String firstWord(String sql) {
        int i = 0;
        while (i < sql.length()) {
            char c = sql.charAt(i);
            if (Character.isWhitespace(c) || c == '(') {
                i++;
            } else if (sql.startsWith("--", i)) {
                int end = sql.indexOf('\n', i);
                i = end < 0 ? sql.length() : end + 1;
            } else if (sql.startsWith("/*", i)) {
                int end = sql.indexOf("*/", i + 2);
                i = end < 0 ? sql.length() : end + 2;
            } else {
                break;
            }
        }
        int start = i;
        while (i < sql.length() && Character.isLetter(sql.charAt(i))) {
            i++;
        }
        return sql.substring(start, i).toUpperCase(Locale.ROOT);
    }

    private SqlException translate(SQLException e) {
        String message = String.valueOf(e.getMessage()).strip();
        String firstLine = message.lines().findFirst().orElse(message);
        if (message.startsWith("Permission Error")) {
            return new SqlException("file access outside the lake is refused: " + firstLine
                    + " (read the tables " + tableNames() + ", or Parquet files under " + lakeDir + ")");
        }
        if (message.contains("the configuration has been locked")) {
            return new SqlException("changing settings is refused: " + firstLine);
        }
        Matcher m = MISSING_TABLE.matcher(message);
        if (m.find()) {
            String table = m.group(1).replaceAll("[\"!]", "");
            if (empty.containsKey(table)) {
                return new SqlException("table " + table + " has no data yet: no Parquet file matches "
                        + empty.get(table));
            }
            return new SqlException(firstLine + " (tables: " + tableNames() + ")");
        }
        return new SqlException(message);
    }

    private String tableNames() {
        Set<String> names = new TreeSet<>(tables.keySet());
        return names.isEmpty() ? "none yet" : String.join(", ", names);
    }

    private static Object value(ResultSet rs, int column, String type) throws SQLException {
        if (type.startsWith("TIMESTAMP") && !type.contains("TIME ZONE")) {
            LocalDateTime t = rs.getObject(column, LocalDateTime.class);
            return t == null ? null : t.toInstant(ZoneOffset.UTC).toString();
        }
        return json(rs.getObject(column));
    }

    /** A JDBC value as a JSON-friendly Java value (see {@link SqlResult}). */
    private static Object json(Object v) throws SQLException {
        if (v == null || v instanceof Boolean || v instanceof String || v instanceof Double
                || v instanceof BigDecimal || v instanceof BigInteger) {
            return v;
        }
        if (v instanceof Byte || v instanceof Short || v instanceof Integer || v instanceof Long) {
            return ((Number) v).longValue();
        }
        if (v instanceof Float f) {
            return Double.parseDouble(f.toString());
        }
        if (v instanceof Timestamp t) {
            return t.toLocalDateTime().toInstant(ZoneOffset.UTC).toString();
        }
        if (v instanceof LocalDateTime t) {
            return t.toInstant(ZoneOffset.UTC).toString();
        }
        if (v instanceof OffsetDateTime t) {
            return t.toInstant().toString();
        }
        if (v instanceof Array a) {
            List<Object> list = new ArrayList<>();
            for (Object o : (Object[]) a.getArray()) {
                list.add(json(o));
            }
            return list;
        }
        if (v instanceof DuckDBStruct s) {
            return json(s.getMap());
        }
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> map = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                map.put(String.valueOf(e.getKey()), json(e.getValue()));
            }
            return map;
        }
        if (v instanceof Blob b) {
            return Base64.getEncoder().encodeToString(b.getBytes(1, (int) b.length()));
        }
        if (v instanceof byte[] bytes) {
            return Base64.getEncoder().encodeToString(bytes);
        }
        return v.toString();
    }


    @Override
    public synchronized void close() {
        timer.shutdownNow();
        try {
            db.close();
        } catch (SQLException e) {
            LOG.warn("closing the SQL sandbox failed", e);
        }
    }
}
