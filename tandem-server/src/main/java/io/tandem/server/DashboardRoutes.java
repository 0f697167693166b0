package io.tandem.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.JavalinConfig;
import io.javalin.http.staticfiles.Location;
import io.tandem.core.MeasureDef;
import io.tandem.core.StreamDef;
import io.tandem.core.TandemConfig;
import io.tandem.core.ViewDef;
import io.tandem.core.plan.Plan;
import io.tandem.core.plan.WorkloadKind;
import io.tandem.core.time.Durations;

/**
 * The dashboard at {@code /}: static files from the classpath folder {@code public}, uPlot from its WebJar under
 * {@code /webjars/}, and {@code GET /v1/views}, the views it offers with their dimensions and measures:
 * {@code {"views": [{"name": "trades_1m", "from": "trades", "granularity": "1m", "granularity_ms": 60000,
 * "where": null, "dimensions": [{"name": "symbol", "type": "string"}], "measures": [{"name": "volume",
 * "function": "sum", "field": "qty", "definition": "sum(qty)"}], "results": [{"name": "avg_qty",
 * "expression": "volume / n"}]}]}}.
 */
final class DashboardRoutes {

    private static final ObjectMapper JSON = new ObjectMapper();

    private DashboardRoutes() {
    }

    static void register(JavalinConfig cfg, TandemConfig config, Plan plan) {
        cfg.staticFiles.add("/public", Location.CLASSPATH);
        cfg.staticFiles.enableWebjars();
        String views = views(config, plan).toString();
        cfg.routes.get("/v1/views", ctx -> ctx.contentType("application/json").result(views));
    }

    static ObjectNode views(TandemConfig config, Plan plan) {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode list = root.putArray("views");
        for (ViewDef v : config.views().values()) {
            StreamDef stream = config.streams().get(v.from());
            ObjectNode n = list.addObject();
            n.put("name", v.name());
            n.put("from", v.from());
            n.put("granularity", Durations.format(v.granularityMs()));
            n.put("granularity_ms", v.granularityMs());
            n.put("where", v.where());
            n.put("path", plan.decision(WorkloadKind.VIEW, v.name()).orElseThrow().path().configName());
            ArrayNode dims = n.putArray("dimensions");
            for (String d : v.groupBy()) {
                int i = stream.indexOf(d);
                dims.addObject().put("name", d).put("type", i >= 0 ? stream.field(i).type().configName()
                        : "timestamp");
            }
            ArrayNode measures = n.putArray("measures");
            for (MeasureDef m : v.measures().values()) {
                ObjectNode mn = measures.addObject();
                mn.put("name", m.name());
                mn.put("function", m.function());
                mn.put("field", m.field());
                mn.put("parameter", m.parameter());
                mn.put("where", m.where());
                mn.put("definition", definition(m));
            }
            ArrayNode results = n.putArray("results");
            v.results().forEach((name, expression) -> results.addObject().put("name", name)
                    .put("expression", expression));
        }
        return root;
    }

    /** The measure as the config writes it, e.g. {@code quantile(qty, 0.99)} or {@code count where qty >= 1000}. */
    private static String definition(MeasureDef m) {
        StringBuilder b = new StringBuilder(m.function());
        if (m.field() != null) {
            b.append('(').append(m.field());
            if (m.parameter() != null) {
                b.append(", ").append(m.parameter());
            }
            b.append(')');
        }
        if (m.where() != null) {
            b.append(" where ").append(m.where());
        }
        return b.toString();
    }
}
