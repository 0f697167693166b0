package io.tandem.spark;

import io.tandem.core.BadEventPolicy;
import io.tandem.core.DerivedField;
import io.tandem.core.FieldDef;
import io.tandem.core.FieldType;
import io.tandem.core.MeasureDef;
import io.tandem.core.StreamDef;
import io.tandem.core.UnknownFields;
import io.tandem.core.ViewDef;
import io.tandem.spi.view.CompiledView;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A view's definition and its stream's as plain serializable values, the form in which a view travels to Spark's
 * executors; each executor JVM compiles it back into a {@link CompiledView} once ({@link #compiled()}), so that
 * its tasks run the view's own condition and measures. The driver's {@link CompiledView#fingerprint()} travels
 * with it: an executor whose Tandem classes compile the definition differently fails the task rather than
 * produce accumulators of another definition.
 */
record ViewSpec(String name, String from, List<String> groupBy, long granularityMs, String where,
                List<MeasureSpec> measures, StreamSpec stream, String fingerprint) implements Serializable {

    /** One measure of the view, as {@link MeasureDef}. */
    record MeasureSpec(String name, String function, String field, Double parameter, String where)
            implements Serializable {
    }

    /** The view's stream, as {@link StreamDef}. */
    record StreamSpec(String name, String timeField, long latenessMs, List<FieldSpec> fields,
                      UnknownFields unknownFields, long maxFutureMs, long minTimeMs, BadEventPolicy onBadEvent,
                      List<DerivedSpec> derived) implements Serializable {
    }

    /** One declared field, as {@link FieldDef}. */
    record FieldSpec(String name, FieldType type) implements Serializable {
    }

    /** One derived field, as {@link DerivedField}. */
    record DerivedSpec(String name, String expression, FieldType type) implements Serializable {
    }

    private static final int MAX_CACHED = 256;

    /** The views this JVM compiled, shared by its task threads: a compiled view is immutable. */
    private static final Map<ViewSpec, CompiledView> COMPILED = new ConcurrentHashMap<>();

    static ViewSpec of(CompiledView view) {
        ViewDef def = view.def();
        StreamDef s = view.stream();
        List<MeasureSpec> measures = def.measures().values().stream()
                .map(m -> new MeasureSpec(m.name(), m.function(), m.field(), m.parameter(), m.where())).toList();
        List<FieldSpec> fields = s.fields().stream().map(f -> new FieldSpec(f.name(), f.type())).toList();
        List<DerivedSpec> derived = s.derived().stream()
                .map(d -> new DerivedSpec(d.name(), d.expression(), d.type())).toList();
        return new ViewSpec(def.name(), def.from(), def.groupBy(), def.granularityMs(), def.where(), measures,
                new StreamSpec(s.name(), s.timeField(), s.latenessMs(), fields, s.unknownFields(), s.maxFutureMs(),
                        s.minTimeMs(), s.onBadEvent(), derived), view.fingerprint());
    }

    /**
     * The view compiled in this JVM.
     *
     * @throws IllegalStateException when it does not compile to the driver's definition (other Tandem classes)
     */
    CompiledView compiled() {
        CompiledView view = COMPILED.get(this);
        if (view != null) {
            return view;
        }
        if (COMPILED.size() >= MAX_CACHED) {
            COMPILED.clear();
        }
        return COMPILED.computeIfAbsent(this, ViewSpec::compile);
    }

    CompiledView compile() {
        Map<String, MeasureDef> defs = new LinkedHashMap<>();
        for (MeasureSpec m : measures) {
            defs.put(m.name(), new MeasureDef(m.name(), m.function(), m.field(), m.parameter(), m.where()));
        }
        StreamDef s = new StreamDef(stream.name(), stream.timeField(), stream.latenessMs(),
                stream.fields().stream().map(f -> new FieldDef(f.name(), f.type())).toList(), stream.unknownFields(),
                stream.maxFutureMs(), stream.minTimeMs(), stream.onBadEvent())
                .withDerived(stream.derived().stream()
                        .map(d -> new DerivedField(d.name(), d.expression(), d.type())).toList());
        CompiledView view = new CompiledView(new ViewDef(name, from, groupBy, granularityMs, where, defs), s);
        if (!view.fingerprint().equals(fingerprint)) {
            throw new IllegalStateException("view '" + name + "' compiles to another definition here than on the "
                    + "driver (are the executors' Tandem jars those of the driver?): " + view.fingerprint()
                    + " instead of " + fingerprint);
        }
        return view;
    }
}
