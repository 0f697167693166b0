package io.tandem.spi.view;

import io.tandem.core.TandemConfig;
import io.tandem.core.plan.Plan;
import io.tandem.core.plan.Planner;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The compiled views of a config, by name and by stream, and the plan that says which of them the hot path keeps:
 * a view the plan puts on the cold path only has no hot-path state at all.
 */
public final class Catalog {

    private final TandemConfig config;
    private final Plan plan;
    private final Map<String, CompiledView> views = new LinkedHashMap<>();

    public Catalog(TandemConfig config, Plan plan) {
        this.config = config;
        this.plan = plan;
        config.views().values().forEach(v -> views.put(v.name(), new CompiledView(v, config.streams().get(v.from()))));
    }

    /** The views of a config under its plan with no rate observed yet. */
    public Catalog(TandemConfig config) {
        this(config, Planner.plan(config, stream -> OptionalLong.empty()));
    }

    public TandemConfig config() {
        return config;
    }

    public Plan plan() {
        return plan;
    }

    public CompiledView view(String name) {
        return views.get(name);
    }

    public Map<String, CompiledView> views() {
        return views;
    }

    /** Whether the hot path keeps state for the view. */
    public boolean isHot(String view) {
        return plan.isHot(view);
    }

    /** The views of a stream that the hot path keeps state for. */
    public List<CompiledView> hotViewsOf(String stream) {
        return views.values().stream().filter(v -> v.stream().name().equals(stream) && isHot(v.name())).toList();
    }
}
