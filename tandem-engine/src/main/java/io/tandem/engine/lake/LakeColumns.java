package io.tandem.engine.lake;

import io.tandem.core.FieldType;
import io.tandem.core.StreamDef;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static io.tandem.core.expr.SqlColumns.quote;

/**
 * The columns of a stream's lake files, in order: every declared field but the time field, the event time (named
 * after the stream's time field), then {@code _arrival}, {@code _epoch}, {@code _partition}, {@code _offset}.
 */
final class LakeColumns {

    /** Names a stream field may not take: the lake's own columns and the Hive partition column. */
    static final Set<String> RESERVED = Set.of("_arrival", "_epoch", "_partition", "_offset", "epoch");

    /** The indexes, in the stream definition, of the declared fields written as columns of their own. */
    final int[] fields;
    /** Their types, parallel to {@link #fields}. */
    final FieldType[] types;
    private final List<String> names = new ArrayList<>();
    private final String timeColumn;

    LakeColumns(StreamDef stream) {
        List<Integer> kept = new ArrayList<>();
        for (int i = 0; i < stream.fields().size(); i++) {
            String name = stream.field(i).name();
            if (RESERVED.contains(name)) {
                throw new IllegalArgumentException("streams." + stream.name() + ".fields." + name + ": '" + name
                        + "' is reserved by the lake (reserved: " + RESERVED + ")");
            }
            if (!name.equals(stream.timeField())) {
                kept.add(i);
                names.add(name);
            }
        }
        if (RESERVED.contains(stream.timeField())) {
            throw new IllegalArgumentException("streams." + stream.name() + ".time: '" + stream.timeField()
                    + "' is reserved by the lake (reserved: " + RESERVED + ")");
        }
        this.fields = kept.stream().mapToInt(Integer::intValue).toArray();
        this.types = kept.stream().map(i -> stream.field(i).type()).toArray(FieldType[]::new);
        this.timeColumn = stream.timeField();
    }

    /** The column name of {@code fields[c]}. */
    String name(int c) {
        return names.get(c);
    }

    /** The event time's column: the stream's time field. */
    String timeColumn() {
        return timeColumn;
    }

    /** The staging table: the file's columns without the two that are constant per file. */
    String createTable(String table) {
        StringBuilder sql = new StringBuilder("CREATE TABLE ").append(quote(table)).append(" (");
        for (int c = 0; c < fields.length; c++) {
            sql.append(quote(names.get(c))).append(' ').append(sqlType(types[c])).append(", ");
        }
        sql.append(quote(timeColumn)).append(" TIMESTAMP, \"_arrival\" TIMESTAMP, \"_offset\" BIGINT)");
        return sql.toString();
    }

    /** The query that gives a file's rows, in staging (offset) order. */
    String select(String table, long epoch, int partition) {
        StringBuilder sql = new StringBuilder("SELECT ");
        for (int c = 0; c < fields.length; c++) {
            sql.append(quote(names.get(c))).append(", ");
        }
        sql.append(quote(timeColumn)).append(", \"_arrival\", CAST(").append(epoch)
                .append(" AS BIGINT) AS \"_epoch\", CAST(").append(partition)
                .append(" AS INTEGER) AS \"_partition\", \"_offset\" FROM ").append(quote(table));
        return sql.toString();
    }

    /** A query of no rows with the columns of the stream's files: its SQL table before the first sealed epoch. */
    String emptySelect() {
        StringBuilder sql = new StringBuilder("SELECT ");
        for (int c = 0; c < fields.length; c++) {
            sql.append("CAST(NULL AS ").append(sqlType(types[c])).append(") AS ").append(quote(names.get(c)))
                    .append(", ");
        }
        sql.append("CAST(NULL AS TIMESTAMP) AS ").append(quote(timeColumn)).append(", CAST(NULL AS TIMESTAMP) AS ")
                .append("\"_arrival\", CAST(NULL AS BIGINT) AS \"_epoch\", CAST(NULL AS INTEGER) AS \"_partition\", ")
                .append("CAST(NULL AS BIGINT) AS \"_offset\" WHERE false");
        return sql.toString();
    }

    private static String sqlType(FieldType type) {
        return switch (type) {
            case STRING -> "VARCHAR";
            case LONG -> "BIGINT";
            case DOUBLE -> "DOUBLE";
            case BOOLEAN -> "BOOLEAN";
            case TIMESTAMP -> "TIMESTAMP";
        };
    }

}
