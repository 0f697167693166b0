package io.tandem.server.auth;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/** What an API token may do. {@link #ADMIN} may do everything. */
public enum Scope {

    /** Every {@code GET} of the API (views, alerts, analyses, search, status, event streams), SQL and /metrics. */
    READ,
    /** {@code POST /v1/streams/{stream}/events}. */
    INGEST,
    /** Everything, including what neither of the others allows: batch runs and report runs. */
    ADMIN;

    /** The name in the tokens file and on the command line: {@code read}, {@code ingest}, {@code admin}. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether a token with {@code scopes} may do what needs this scope. */
    public boolean grantedBy(Set<Scope> scopes) {
        return scopes.contains(this) || scopes.contains(ADMIN);
    }

    /**
     * Scopes from a comma-separated list such as {@code read,ingest}.
     *
     * @throws IllegalArgumentException naming the value that is not a scope, or when the list is empty
     */
    public static Set<Scope> parseList(String text) {
        Set<Scope> scopes = EnumSet.noneOf(Scope.class);
        for (String part : text.split(",", -1)) {
            String name = part.trim();
            scopes.add(Arrays.stream(values()).filter(s -> s.configName().equals(name)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("unknown scope '" + name + "' (expected "
                            + names(EnumSet.allOf(Scope.class)) + ")")));
        }
        return scopes;
    }

    /** The scopes' names, comma-separated, in declaration order. */
    public static String names(Set<Scope> scopes) {
        return scopes.stream().sorted().map(Scope::configName).collect(Collectors.joining(","));
    }
}
