package io.tandem.engine.batchview;

import java.util.Map;

/**
 * One batch run, as {@code GET /v1/batch} lists it.
 *
 * @param version        the version it published (or the version that stayed current when it published nothing)
 * @param status         {@code running}, {@code published}, {@code up to date} (nothing newly sealed) or
 *                       {@code failed}
 * @param full           a full recompute from the whole lake, rather than the newly sealed epochs only
 * @param boundaryEpoch  the last epoch the batch views cover after the run, or null
 * @param untilMs        the arrival time where that epoch ends, or null
 * @param fromEpoch      the first epoch the run read, or null
 * @param rows           lake rows read
 * @param viewRows       result rows of every view after the run
 * @param progress       the share of the run's views done, 0 to 1
 * @param durationMs     how long it took
 * @param phasesMs       where the time went: {@code seal} (writing newly sealed epochs to the lake),
 *                       {@code aggregate <view>} (the batch engine), {@code reconcile}, {@code merge} (into the
 *                       previous version), {@code publish} (writing and switching the version)
 * @param drift          per view, hot against batch over the newly covered epochs
 * @param note           why reconciliation or the run was skipped or failed, or null
 */
public record BatchRun(long version, String status, boolean full, Long boundaryEpoch, Long untilMs, Long fromEpoch,
                       long rows, long viewRows, double progress, long startedAtMs, long durationMs,
                       Map<String, Long> phasesMs, Map<String, ViewDrift> drift, String note) {
}
