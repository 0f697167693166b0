package io.tandem.core;

import java.util.List;

/**
 * A named flow of JSON events with a declared schema.
 *
 * @param timeField the event-time field; its value is carried by {@link Row#eventTime()} and is not one of
 *                  {@code fields} unless also declared there
 * @param fields    the declared fields, in declaration order; a field's index is its position here
 */
public record StreamDef(String name, String timeField, long latenessMs, List<FieldDef> fields,
                        UnknownFields unknownFields) {

    public StreamDef {
        fields = List.copyOf(fields);
    }

    /** The index of a field, or -1 when the stream has no such field. */
    public int indexOf(String field) {
        for (int i = 0; i < fields.size(); i++) {
            if (fields.get(i).name().equals(field)) {
                return i;
            }
        }
        return -1;
    }

    public FieldDef field(int index) {
        return fields.get(index);
    }

    /** The field names, comma separated, for error messages. */
    public String fieldNames() {
        return String.join(", ", fields.stream().map(FieldDef::name).toList());
    }
}
