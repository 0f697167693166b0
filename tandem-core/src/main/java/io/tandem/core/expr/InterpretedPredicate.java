package io.tandem.core.expr;

import dev.cel.runtime.CelRuntime;
import io.tandem.core.FieldType;
import io.tandem.core.Row;
import io.tandem.core.StreamDef;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The general path: the CEL interpreter, with the variables read from the row on demand. A null field is an
 * unbound variable, so the expressions that read it are unknown; the predicate holds only when the result is true.
 */
final class InterpretedPredicate implements RowPredicate {

    /** The pseudo field index of the event time. */
    private static final int EVENT_TIME = -1;

    private final CelRuntime.Program program;
    private final Map<String, Integer> fields;
    private final FieldType[] types;

    InterpretedPredicate(CelRuntime.Program program, StreamDef stream) {
        this.program = program;
        this.fields = new HashMap<>();
        this.types = new FieldType[stream.fields().size()];
        for (int i = 0; i < types.length; i++) {
            fields.put(stream.field(i).name(), i);
            types[i] = stream.field(i).type();
        }
        if (stream.timeField() != null) {
            fields.putIfAbsent(stream.timeField(), EVENT_TIME);
        }
    }

    @Override
    public boolean test(Row row) {
        return CelEnv.isTrue(program, name -> Optional.ofNullable(value(row, name)));
    }

    private Object value(Row row, String name) {
        Integer field = fields.get(name);
        if (field == null) {
            return null;
        }
        int i = field;
        if (i == EVENT_TIME) {
            return row.eventTime();
        }
        if (row.isNull(i)) {
            return null;
        }
        return switch (types[i]) {
            case STRING -> row.getString(i);
            case LONG, TIMESTAMP -> row.getLong(i);
            case DOUBLE -> row.getDouble(i);
            case BOOLEAN -> row.getBoolean(i);
        };
    }
}
