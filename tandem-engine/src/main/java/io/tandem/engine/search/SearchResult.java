package io.tandem.engine.search;

import java.util.List;

/**
 * The answer to a search.
 *
 * @param total every matching event, counted exactly (not only the hits returned)
 * @param hits  the best {@code limit} matches, highest score first
 */
public record SearchResult(long total, List<Hit> hits) {

    public SearchResult {
        hits = List.copyOf(hits);
    }

    /**
     * One matching event.
     *
     * @param fields every field of the event by name, in the stream's order (null when the event had none; a
     *               timestamp as ISO-8601 text), then the event time under the stream's time field (ISO-8601) and
     *               the lake's system columns {@code _arrival} (ISO-8601), {@code _epoch}, {@code _partition} and
     *               {@code _offset}
     */
    public record Hit(float score, java.util.Map<String, Object> fields) {
    }
}
