package io.tandem.core;

import java.util.List;
import java.util.Map;

/**
 * What each swappable part runs on: the log ({@code log:}), the real-time store ({@code store:}) and the batch
 * engine ({@code batch.engine}). The defaults are the embedded ones: a file log, the in-memory store and DuckDB.
 *
 * @param log   the kind of every stream's log
 * @param store the kind of the real-time store
 * @param batch the batch engine
 */
public record DeploymentDef(ComponentDef log, ComponentDef store, ComponentDef batch) {

    /**
     * The kinds of each part ({@code log}, {@code store}, {@code batch}) and the settings each kind takes. The
     * embedded kinds take none.
     */
    public static final Map<String, Map<String, List<String>>> KINDS = Map.of(
            "log", Map.of("file", List.of()),
            "store", Map.of("memory", List.of()),
            "batch", Map.of("duckdb", List.of()));

    /** The embedded parts: {@code file}, {@code memory} and {@code duckdb}. */
    public static DeploymentDef embedded() {
        return new DeploymentDef(ComponentDef.of("file"), ComponentDef.of("memory"), ComponentDef.of("duckdb"));
    }
}
