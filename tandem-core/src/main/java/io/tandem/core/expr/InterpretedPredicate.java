package io.tandem.core.expr;

import dev.cel.runtime.CelRuntime;
import io.tandem.core.DerivedField;
import io.tandem.core.FieldDef;
import io.tandem.core.Row;
import io.tandem.core.StreamDef;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The general path: the CEL interpreter, with the variables read from the row on demand. A null field (or a
 * derived field that is null) is an unbound variable, so the expressions that read it are unknown; the predicate
 * holds only when the result is true.
 */
final class InterpretedPredicate implements RowPredicate {

    private final CelRuntime.Program program;
    private final Map<String, FieldReader> fields = new HashMap<>();

    InterpretedPredicate(CelRuntime.Program program, StreamDef stream) {
        this.program = program;
        for (FieldDef f : stream.fields()) {
            fields.put(f.name(), Expressions.reader(f.name(), stream));
        }
        for (DerivedField d : stream.derived()) {
            fields.put(d.name(), Expressions.reader(d.name(), stream));
        }
        if (stream.timeField() != null) {
            fields.putIfAbsent(stream.timeField(), Expressions.reader(stream.timeField(), stream));
        }
    }

    @Override
    public boolean test(Row row) {
        return CelEnv.isTrue(program, name -> {
            FieldReader field = fields.get(name);
            return Optional.ofNullable(field == null ? null : field.value(row));
        });
    }
}
