package io.tandem.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tandem.core.time.Timestamps;
import io.tandem.engine.Tandem;
import io.tandem.engine.batchview.BatchRun;
import io.tandem.spi.batch.BatchVersion;
import io.tandem.engine.batchview.ColdPathStatus;
import io.tandem.engine.batchview.ViewDrift;

import java.util.List;
import java.util.Map;

/** The JSON of batch runs, versions and reconciliation reports. */
final class BatchJson {

    private static final ObjectMapper JSON = new ObjectMapper();

    private BatchJson() {
    }

    static ObjectNode version(BatchVersion v) {
        ObjectNode n = JSON.createObjectNode();
        n.put("version", v.version());
        n.putPOJO("boundary_epoch", v.isEmpty() ? null : v.boundaryEpoch());
        n.put("until", v.isEmpty() ? null : Timestamps.format(v.untilMs()));
        return n;
    }

    static ObjectNode run(BatchRun r) {
        ObjectNode n = JSON.createObjectNode();
        n.put("version", r.version());
        n.put("status", r.status());
        n.put("full", r.full());
        ObjectNode boundary = n.putObject("boundary");
        boundary.putPOJO("epoch", r.boundaryEpoch());
        boundary.put("until", r.untilMs() == null ? null : Timestamps.format(r.untilMs()));
        n.putPOJO("from_epoch", r.fromEpoch());
        n.put("lake_rows_read", r.rows());
        n.put("view_rows", r.viewRows());
        n.put("progress", r.progress());
        n.put("started", Timestamps.format(r.startedAtMs()));
        n.put("duration_ms", r.durationMs());
        n.putPOJO("phases_ms", r.phasesMs());
        n.set("drift", drift(r.drift()));
        n.put("note", r.note());
        return n;
    }

    /** {@code GET /v1/batch}: whether the cold path works, the current version, and the runs, newest first. */
    static ObjectNode runs(Tandem tandem) {
        ObjectNode root = JSON.createObjectNode();
        root.set("cold_path", coldPath(tandem.coldPath()));
        root.set("current", version(tandem.batchVersion()));
        ArrayNode list = root.putArray("runs");
        tandem.batchRuns().forEach(r -> list.add(run(r)));
        return root;
    }

    /** {@code {"status": "ok"}}, or {@code "failed"} with the stage, the error, since when and the retries. */
    static ObjectNode coldPath(ColdPathStatus s) {
        ObjectNode n = JSON.createObjectNode();
        n.put("status", s.status());
        n.put("stage", s.stage());
        n.put("error", s.error());
        n.put("since", s.sinceMs() == null ? null : Timestamps.format(s.sinceMs()));
        n.put("attempts", s.attempts());
        n.put("retry_in_ms", s.retryInMs());
        return n;
    }

    /** {@code {"runs": [{"version": 7, "views": {...}}]}}, newest first, for runs that reconciled. */
    static ObjectNode reconciliation(List<BatchRun> runs) {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode list = root.putArray("runs");
        for (BatchRun r : runs) {
            if (!r.drift().isEmpty()) {
                ObjectNode n = list.addObject();
                n.put("version", r.version());
                n.put("finished", Timestamps.format(r.startedAtMs() + r.durationMs()));
                n.put("note", r.note());
                n.set("views", drift(r.drift()));
            }
        }
        return root;
    }

    private static ObjectNode drift(Map<String, ViewDrift> drift) {
        ObjectNode views = JSON.createObjectNode();
        drift.forEach((view, d) -> {
            ObjectNode v = views.putObject(view);
            v.put("buckets_compared", d.bucketsCompared());
            v.put("buckets_differing", d.bucketsDiffering());
            v.put("max_relative_difference", d.maxRelativeDifference());
            ArrayNode samples = v.putArray("samples");
            for (ViewDrift.Sample s : d.samples()) {
                ObjectNode sample = samples.addObject();
                sample.put("bucket", Timestamps.format(s.bucket()));
                sample.put("epoch", s.epoch());
                sample.putPOJO("dims", s.dims());
                sample.putPOJO("hot", JsonValues.finite(s.hot()));
                sample.putPOJO("batch", JsonValues.finite(s.batch()));
            }
        });
        return views;
    }
}
