package io.tandem.engine.view;

import io.tandem.core.TandemConfig;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The compiled views of a config, by name and by stream. */
public final class Catalog {

    private final TandemConfig config;
    private final Map<String, CompiledView> views = new LinkedHashMap<>();

    public Catalog(TandemConfig config) {
        this.config = config;
        config.views().values().forEach(v -> views.put(v.name(), new CompiledView(v, config.streams().get(v.from()))));
    }

    public TandemConfig config() {
        return config;
    }

    public CompiledView view(String name) {
        return views.get(name);
    }

    public Map<String, CompiledView> views() {
        return views;
    }

    public List<CompiledView> viewsOf(String stream) {
        return views.values().stream().filter(v -> v.stream().name().equals(stream)).toList();
    }
}
