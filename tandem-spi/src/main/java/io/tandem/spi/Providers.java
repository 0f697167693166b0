package io.tandem.spi;

import io.tandem.core.config.ConfigException;

import java.util.List;
import java.util.ServiceLoader;

/** Finds the provider of a kind among those registered on the classpath ({@link ServiceLoader}). */
public final class Providers {

    private Providers() {
    }

    /**
     * The provider of {@code kind}.
     *
     * @param key the config key that names the kind, for the error ({@code log.kind})
     * @throws ConfigException naming the key, the kind and the kinds found, when no provider of it is registered
     */
    public static <P extends Provider> P find(Class<P> type, String key, String kind) {
        List<P> found = ServiceLoader.load(type).stream().map(ServiceLoader.Provider::get).toList();
        return found.stream().filter(p -> p.kind().equals(kind)).findFirst().orElseThrow(() ->
                new ConfigException("config", List.of(key + ": no implementation of '" + kind
                        + "' on the classpath (found: " + String.join(", ", found.stream().map(Provider::kind)
                        .sorted().toList()) + ")")));
    }
}
