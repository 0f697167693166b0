package io.tandem.core;

/** One typed field of a stream. */
public record FieldDef(String name, FieldType type) {
}
