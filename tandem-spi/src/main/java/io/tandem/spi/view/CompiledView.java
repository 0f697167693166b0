package io.tandem.spi.view;

import io.tandem.core.FieldType;
import io.tandem.core.GroupKey;
import io.tandem.core.Measure;
import io.tandem.core.MeasureDef;
import io.tandem.core.Row;
import io.tandem.core.StreamDef;
import io.tandem.core.ViewDef;
import io.tandem.core.expr.Expressions;
import io.tandem.core.expr.RowPredicate;
import io.tandem.core.expr.ViewResults;
import io.tandem.core.measure.Measures;
import io.tandem.core.time.Timestamps;

import java.util.ArrayList;
import java.util.List;

/** A view ready to run: its stream, filter, group-by field indexes, measures and computed results. */
public final class CompiledView {

    private final ViewDef def;
    private final StreamDef stream;
    private final RowPredicate where;
    private final int[] dims;
    private final FieldType[] dimTypes;
    private final Measure<Object>[] measures;
    private final List<String> measureNames;
    private final ViewResults computed;
    private final List<String> columnNames;

    @SuppressWarnings("unchecked")
    public CompiledView(ViewDef def, StreamDef stream) {
        this.def = def;
        this.stream = stream;
        this.where = def.where() == null ? RowPredicate.ALWAYS : Expressions.predicate(def.where(), stream);
        this.dims = def.groupBy().stream().mapToInt(stream::indexOf).toArray();
        this.dimTypes = new FieldType[dims.length];
        for (int i = 0; i < dims.length; i++) {
            dimTypes[i] = stream.field(dims[i]).type();
        }
        this.measures = def.measures().values().stream().map(m -> Measures.compile(m, stream)).toArray(Measure[]::new);
        this.measureNames = def.measures().values().stream().map(MeasureDef::name).toList();
        this.computed = ViewResults.of(def);
        List<String> columns = new ArrayList<>(measureNames);
        columns.addAll(computed.names());
        this.columnNames = List.copyOf(columns);
    }

    public ViewDef def() {
        return def;
    }

    public String name() {
        return def.name();
    }

    public StreamDef stream() {
        return stream;
    }

    public List<String> measureNames() {
        return measureNames;
    }

    public Measure<Object>[] measures() {
        return measures;
    }

    /** The names of a row's values: the measures, then the computed results. */
    public List<String> columnNames() {
        return columnNames;
    }

    public ViewResults computedResults() {
        return computed;
    }

    /** A merged row's values: the measures' results, then the computed results over them. */
    public Object[] row(Object[] accs) {
        return computed.append(results(accs));
    }

    /**
     * A row's values with only the measures {@code measures} marks (null: all of them) and null for the others; a
     * computed result is null when a measure it reads is not marked.
     */
    public Object[] row(Object[] accs, boolean[] measures) {
        return computed.append(results(accs, measures));
    }

    /** The stream's field indexes of the group-by dimensions, in {@code group_by} order. */
    public int[] dims() {
        return dims.clone();
    }

    public FieldType dimType(int i) {
        return dimTypes[i];
    }

    public boolean accepts(Row row) {
        return where.test(row);
    }

    public long bucketOf(Row row) {
        return Timestamps.bucketStart(row.eventTime(), def.granularityMs());
    }

    /** The group-by values of an event. */
    public GroupKey keyOf(Row row) {
        if (dims.length == 0) {
            return GroupKey.EMPTY;
        }
        Object[] values = new Object[dims.length];
        for (int i = 0; i < dims.length; i++) {
            int f = dims[i];
            if (row.isNull(f)) {
                continue;
            }
            values[i] = switch (dimTypes[i]) {
                case STRING -> row.getString(f);
                case LONG, TIMESTAMP -> row.getLong(f);
                case DOUBLE -> row.getDouble(f);
                case BOOLEAN -> row.getBoolean(f);
            };
        }
        return GroupKey.of(values);
    }

    /** New empty accumulators, one per measure. */
    public Object[] createAccumulators() {
        Object[] accs = new Object[measures.length];
        for (int i = 0; i < measures.length; i++) {
            accs[i] = measures[i].create();
        }
        return accs;
    }

    public void add(Object[] accs, Row row) {
        for (int i = 0; i < measures.length; i++) {
            measures[i].add(accs[i], row);
        }
    }

    /** Merges {@code right} into {@code left}, measure by measure, and returns {@code left}. */
    public Object[] merge(Object[] left, Object[] right) {
        return merge(left, right, null);
    }

    public Object[] copy(Object[] accs) {
        return copy(accs, null);
    }

    /** A copy of the accumulators {@code measures} marks (null: all of them); the others are null. */
    public Object[] copy(Object[] accs, boolean[] measures) {
        Object[] out = new Object[accs.length];
        for (int i = 0; i < accs.length; i++) {
            if (measures == null || measures[i]) {
                out[i] = this.measures[i].copy(accs[i]);
            }
        }
        return out;
    }

    /** Merges the accumulators {@code measures} marks (null: all of them) of {@code right} into {@code left}. */
    public Object[] merge(Object[] left, Object[] right, boolean[] measures) {
        for (int i = 0; i < this.measures.length; i++) {
            if (measures == null || measures[i]) {
                left[i] = this.measures[i].merge(left[i], right[i]);
            }
        }
        return left;
    }

    public Object[] results(Object[] accs) {
        return results(accs, null);
    }

    /** The results of the accumulators {@code measures} marks (null: all of them); the others are null. */
    public Object[] results(Object[] accs, boolean[] measures) {
        Object[] out = new Object[accs.length];
        for (int i = 0; i < accs.length; i++) {
            if (measures == null || measures[i]) {
                out[i] = this.measures[i].result(accs[i]);
            }
        }
        return out;
    }

    /**
     * A fingerprint of the definition: state written under another definition must not be reused. The stream's
     * ingest bounds (max_future, min_time) are left out, as they decide what is accepted, not how it
     * aggregates, and so are the view's needs, which decide its path: a batch version stays valid when a view
     * moves, and its computed results, which are evaluated on reading. A stream's derived fields are part of it
     * when it has any. (The view part is spelled as {@code ViewDef.toString()} was before views had needs, so
     * checkpoints and batch versions written then stay valid.)
     */
    public String fingerprint() {
        String view = "ViewDef[name=" + def.name() + ", from=" + def.from() + ", groupBy=" + def.groupBy()
                + ", granularityMs=" + def.granularityMs() + ", where=" + def.where() + ", measures=" + def.measures()
                + "]";
        return view + "|StreamDef[name=" + stream.name() + ", timeField=" + stream.timeField()
                + ", latenessMs=" + stream.latenessMs() + ", fields=" + stream.fields() + ", unknownFields="
                + stream.unknownFields() + (stream.derived().isEmpty() ? "" : ", derived=" + stream.derived())
                + "]";
    }
}
