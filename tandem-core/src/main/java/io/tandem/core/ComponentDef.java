package io.tandem.core;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Which implementation one swappable part runs on, and that implementation's settings: {@code log: {kind: file}},
 * {@code store: {kind: memory}}, {@code batch: {engine: duckdb}}. {@link io.tandem.core.config.ConfigKeys} lists
 * the kinds and the settings each takes; the implementation of a kind is found on the classpath when Tandem starts.
 *
 * @param kind     the implementation's name
 * @param settings its settings, by key, as written in the config
 */
public record ComponentDef(String kind, Map<String, String> settings) {

    public ComponentDef {
        settings = Collections.unmodifiableMap(new LinkedHashMap<>(settings));
    }

    /** A kind with no settings. */
    public static ComponentDef of(String kind) {
        return new ComponentDef(kind, Map.of());
    }
}
