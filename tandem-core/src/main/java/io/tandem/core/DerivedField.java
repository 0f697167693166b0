package io.tandem.core;

/**
 * A field computed from an event's declared fields, {@code notional: {expr: "price * double(qty)"}}: measures,
 * conditions and alert rules read it like a declared field, and the lake does not store it (it is computed again
 * wherever it is read, so changing its expression changes history too).
 *
 * @param expression a CEL expression over the stream's declared fields and its time field, in the subset that
 *                   compiles to both Java and SQL (see {@code io.tandem.core.expr.Expressions#derivedType})
 * @param type       the expression's type: CEL int is long, double is double, string is string, bool is boolean
 */
public record DerivedField(String name, String expression, FieldType type) {
}
