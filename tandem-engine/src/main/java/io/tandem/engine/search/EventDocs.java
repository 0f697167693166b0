package io.tandem.engine.search;

import io.tandem.core.FieldDef;
import io.tandem.core.FieldType;
import io.tandem.core.IndexDef;
import io.tandem.core.StreamDef;
import io.tandem.core.time.Timestamps;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.IndexableField;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TermQuery;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.tandem.core.expr.SqlColumns.quote;

/**
 * How an event is a Lucene document, the same on both paths.
 *
 * <pre>
 * +-------------------+-------------------------------+----------------------------------------------------+
 * | Lucene field      | kind                          | content                                            |
 * +-------------------+-------------------------------+----------------------------------------------------+
 * | (indexed field)   | TextField, stored             | a string field chosen by the index: analyzed by    |
 * |                   |                               | StandardAnalyzer, searched by the query            |
 * | (other field)     | StoredField                   | string, long, double; boolean as int 1/0;          |
 * |                   |                               | timestamp as epoch ms; absent when null            |
 * | $id               | StringField                   | "partition:offset": unique within the stream       |
 * | $time             | LongPoint + StoredField       | event time, epoch ms (the from/to filter)          |
 * | $epoch            | LongPoint + StoredField       | arrival epoch (the batch boundary's filter)        |
 * | $arrival          | StoredField                   | arrival time, epoch ms                             |
 * | $partition        | StoredField (int)             | log partition                                      |
 * | $offset           | StoredField (long)            | log offset                                         |
 * | $batch            | StringField "1"               | only in the batch index: which part a doc is from  |
 * +-------------------+-------------------------------+----------------------------------------------------+
 * </pre>
 * Internal names start with {@code $}, which no stream field may use.
 */
final class EventDocs {

    static final String ID = "$id";
    static final String TIME = "$time";
    static final String EPOCH = "$epoch";
    static final String ARRIVAL = "$arrival";
    static final String PARTITION = "$partition";
    static final String OFFSET = "$offset";
    static final String BATCH = "$batch";

    private final StreamDef stream;
    private final Set<String> indexed;

    EventDocs(StreamDef stream, IndexDef def) {
        this.stream = stream;
        this.indexed = Set.copyOf(def.fields());
    }

    /** What the documents depend on: a change rebuilds the index. */
    static String definition(StreamDef stream, IndexDef def) {
        StringBuilder s = new StringBuilder("v1 time=").append(stream.timeField()).append(" fields=");
        for (FieldDef f : stream.fields()) {
            s.append(f.name()).append(':').append(f.type().configName()).append(',');
        }
        return s.append(" indexed=").append(String.join(",", def.fields())).toString();
    }

    static Term id(int partition, long offset) {
        return new Term(ID, partition + ":" + offset);
    }

    /** Matches the documents of the batch index. */
    static Query batchDocs() {
        return new TermQuery(new Term(BATCH, "1"));
    }

    /** Matches batch documents, and real-time documents of epochs after {@code boundary}. */
    static Query visible(long boundary) {
        if (boundary == Long.MIN_VALUE) {
            return null;
        }
        return new BooleanQuery.Builder()
                .add(batchDocs(), BooleanClause.Occur.SHOULD)
                .add(LongPoint.newRangeQuery(EPOCH, boundary + 1, Long.MAX_VALUE), BooleanClause.Occur.SHOULD)
                .build();
    }

    Document document(IndexedEvent e, boolean batch) {
        Document d = new Document();
        d.add(new StringField(ID, e.partition() + ":" + e.offset(), Field.Store.NO));
        d.add(new LongPoint(TIME, e.eventTime()));
        d.add(new StoredField(TIME, e.eventTime()));
        d.add(new LongPoint(EPOCH, e.epoch()));
        d.add(new StoredField(EPOCH, e.epoch()));
        d.add(new StoredField(ARRIVAL, e.arrivalMs()));
        d.add(new StoredField(PARTITION, e.partition()));
        d.add(new StoredField(OFFSET, e.offset()));
        if (batch) {
            d.add(new StringField(BATCH, "1", Field.Store.NO));
        }
        Object[] values = e.values();
        for (int i = 0; i < values.length; i++) {
            Object v = values[i];
            if (v == null) {
                continue;
            }
            String name = stream.field(i).name();
            if (v instanceof String s) {
                d.add(indexed.contains(name) ? new TextField(name, s, Field.Store.YES) : new StoredField(name, s));
            } else if (v instanceof Long l) {
                d.add(new StoredField(name, l));
            } else if (v instanceof Double x) {
                d.add(new StoredField(name, x));
            } else if (v instanceof Boolean b) {
                d.add(new StoredField(name, b ? 1 : 0));
            }
        }
        return d;
    }

    /** A stored document as a hit's fields (see {@link SearchResult.Hit#fields}). */
    Map<String, Object> fields(Document d) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (FieldDef f : stream.fields()) {
            if (f.name().equals(stream.timeField())) {
                continue;
            }
            IndexableField v = d.getField(f.name());
            out.put(f.name(), v == null ? null : switch (f.type()) {
                case STRING -> v.stringValue();
                case LONG -> v.numericValue().longValue();
                case DOUBLE -> v.numericValue().doubleValue();
                case BOOLEAN -> v.numericValue().intValue() != 0;
                case TIMESTAMP -> Timestamps.format(v.numericValue().longValue());
            });
        }
        out.put(stream.timeField(), Timestamps.format(d.getField(TIME).numericValue().longValue()));
        out.put("_arrival", Timestamps.format(d.getField(ARRIVAL).numericValue().longValue()));
        out.put("_epoch", d.getField(EPOCH).numericValue().longValue());
        out.put("_partition", d.getField(PARTITION).numericValue().intValue());
        out.put("_offset", d.getField(OFFSET).numericValue().longValue());
        return out;
    }

    /**
     * The lake query over some of the stream's Parquet files that yields, per row, the columns {@link #fromLake}
     * reads: every declared field but the time field (timestamps as epoch ms), then the event time, arrival, epoch,
     * partition and offset. See {@code ParquetLake} for the files' columns.
     */
    String lakeSelect(List<String> files) {
        StringBuilder sql = new StringBuilder("SELECT ");
        for (FieldDef f : stream.fields()) {
            if (f.name().equals(stream.timeField())) {
                continue;
            }
            String col = quote(f.name());
            sql.append(f.type() == FieldType.TIMESTAMP ? "epoch_ms(" + col + ")" : col).append(", ");
        }
        sql.append("epoch_ms(").append(quote(stream.timeField())).append("), epoch_ms(\"_arrival\"), \"_epoch\", ")
                .append("\"_partition\", \"_offset\" FROM read_parquet([");
        for (int i = 0; i < files.size(); i++) {
            sql.append(i == 0 ? "" : ", ").append('\'').append(files.get(i).replace("'", "''")).append('\'');
        }
        return sql.append("])").toString();
    }

    /** The event on the current row of a {@link #lakeSelect} result. */
    IndexedEvent fromLake(ResultSet rs) throws SQLException {
        Object[] values = new Object[stream.fields().size()];
        int col = 1;
        for (int i = 0; i < values.length; i++) {
            FieldDef f = stream.field(i);
            if (f.name().equals(stream.timeField())) {
                continue;
            }
            Object v = switch (f.type()) {
                case STRING -> rs.getString(col);
                case LONG, TIMESTAMP -> rs.getLong(col);
                case DOUBLE -> rs.getDouble(col);
                case BOOLEAN -> rs.getBoolean(col);
            };
            values[i] = rs.wasNull() ? null : v;
            col++;
        }
        return new IndexedEvent(values, rs.getLong(col), rs.getLong(col + 1), rs.getLong(col + 2),
                rs.getInt(col + 3), rs.getLong(col + 4));
    }

}
