package io.tandem.core;

import java.util.List;

/**
 * A full-text search index over a stream ({@code indexes:} in the config): the chosen string fields are indexed
 * for search, and every field of the event is stored with the hit.
 *
 * @param fields the string fields that are searched, in declaration order
 */
public record IndexDef(String name, String stream, List<String> fields, Needs needs) {

    public IndexDef {
        fields = List.copyOf(fields);
    }
}
