// Overview: the health of both paths from GET /v1/status, refreshed every second.

import { api, fmtAge, fmtCompact, fmtMs, fmtNum, fmtTime, el, liveIndicator } from './common.js';

const HISTORY_SECONDS = 120;
let timer = null;
let chart = null;
const history = [[], [], []];

export function enter() {
  liveIndicator('idle', 'polling');
  loadPlan();
  refresh();
  timer = setInterval(refresh, 1000);
}

export function leave() {
  clearInterval(timer);
  timer = null;
}

function set(id, text) {
  document.getElementById(id).textContent = text;
}

/** ok, warn, bad or idle: the colour of a card. */
function state(card, value) {
  document.getElementById(card).dataset.state = value;
}

function level(v, warnAbove, badAbove) {
  if (v === null || v === undefined) {
    return 'idle';
  }
  return v > badAbove ? 'bad' : v > warnAbove ? 'warn' : 'ok';
}

async function refresh() {
  let status;
  try {
    status = await api('/v1/status');
  } catch (e) {
    liveIndicator('down', 'server unreachable');
    return;
  }
  liveIndicator('live', 'connected');
  const o = status.overview;
  set('overview-updated', 'updated ' + new Date().toLocaleTimeString());

  set('overview-ingest-rate', o.ingest_rate === null ? '—' : fmtCompact(Math.round(o.ingest_rate)));
  set('overview-accepted', fmtNum(o.accepted) + ' accepted since start');
  state('card-ingest-rate', o.ingest_rate === null ? 'idle' : 'ok');

  set('overview-hot-lag', fmtCompact(o.hot_path_lag));
  state('card-hot-lag', level(o.hot_path_lag, 10000, 500000));

  set('overview-visible-p99', fmtMs(o.ingest_to_visible_p99_ms));
  state('card-visible-p99', level(o.ingest_to_visible_p99_ms, 100, 1000));

  set('overview-alert-p99', fmtMs(o.alert_latency_p99_ms));
  state('card-alert-p99', level(o.alert_latency_p99_ms, 500, 1000));

  const b = o.boundary;
  if (b.epoch === null) {
    set('overview-boundary-age', '—');
    set('overview-boundary-age-unit', '');
    set('overview-boundary', 'no batch run has published yet');
    state('card-boundary', 'idle');
  } else {
    const [age, unit] = fmtAge(b.age_seconds);
    set('overview-boundary-age', age);
    set('overview-boundary-age-unit', unit + ' behind');
    set('overview-boundary', 'epoch ' + b.epoch + ' · arrivals until ' + fmtTime(b.until, false) + ' · v' + b.version);
    // the batch covers sealed epochs only: up to two epochs behind is normal
    state('card-boundary', level(b.age_seconds, 2 * o.epoch_seconds + 60, 3 * o.epoch_seconds + 60));
  }

  const run = o.last_run;
  const cold = o.cold_path;
  if (cold.status === 'failed') {
    // sealing or the runs keep failing: say why, and when the next attempt comes
    set('overview-last-run', 'failed');
    set('overview-last-run-detail', cold.stage + ': ' + cold.error + ' · since ' + fmtTime(cold.since)
        + ' · ' + fmtNum(cold.attempts) + ' attempts · retry in ' + Math.ceil(cold.retry_in_ms / 1000) + ' s');
    state('card-last-run', 'bad');
  } else if (!run) {
    set('overview-last-run', '—');
    set('overview-last-run-detail', 'no batch run yet');
    state('card-last-run', 'idle');
  } else {
    set('overview-last-run', run.status);
    const took = run.status === 'running' ? Math.round(run.progress * 100) + '% done'
        : 'took ' + fmtNum(run.duration_ms) + ' ms · ' + fmtTime(run.finished);
    set('overview-last-run-detail', 'v' + run.version + (run.full ? ' (full)' : '') + ' · ' + took);
    state('card-last-run', run.status === 'failed' ? 'bad' : run.status === 'running' ? 'warn' : 'ok');
  }

  const d = o.drift;
  if (!d) {
    set('overview-drift', '—');
    set('overview-drift-detail', 'no reconciled run yet');
    state('card-drift', 'idle');
  } else {
    set('overview-drift', d.buckets_differing === 0 ? 'none'
        : (d.max_relative_difference * 100).toPrecision(2) + '%');
    set('overview-drift-detail', fmtNum(d.buckets_differing) + ' of ' + fmtNum(d.buckets_compared)
        + ' groups differ · v' + d.version);
    state('card-drift', d.buckets_differing === 0 ? 'ok' : 'bad');
  }

  set('overview-rejected', fmtNum(o.rejected));
  set('overview-late', fmtNum(o.late_after_close));
  state('card-rejected', o.rejected > 0 ? 'warn' : 'ok');

  set('overview-live', o.live.subscribers + ' live view subscriber' + (o.live.subscribers === 1 ? '' : 's')
      + (o.live.dropped ? ' · ' + o.live.dropped + ' dropped for falling behind' : ''));
  streams(status.streams);
  plot(o);
  reports(o.reports);
  queryCache(o.query_cache);
}

/** The query cache: hit ratio, evictions and the last warm-up after a batch publish. */
function queryCache(c) {
  if (!c.enabled) {
    set('overview-query-cache', 'off');
    set('overview-query-cache-detail', 'query_cache: {enabled: false}');
    state('card-query-cache', 'idle');
    return;
  }
  set('overview-query-cache', c.hit_ratio === null ? '—' : Math.round(c.hit_ratio * 100) + '%');
  const warm = c.last_warm === null ? 'not warmed yet'
    : 'warmed ' + c.last_warm.queries + ' in ' + fmtMs(c.last_warm.elapsed_ms) + ' ms (v' + c.last_warm.version + ')';
  set('overview-query-cache-detail', fmtNum(c.hits) + ' hits · ' + fmtNum(c.misses) + ' misses · '
      + fmtNum(c.evictions) + ' evicted · ' + warm);
  state('card-query-cache', c.hit_ratio === null ? 'idle' : 'ok');
}

/** Red while a report's latest scheduled run failed, with the report, its period and why. */
function reports(r) {
  const failing = r.failing;
  set('overview-reports', r.configured === 0 ? '—' : failing.length === 0 ? 'ok' : failing.length + ' failing');
  set('overview-reports-detail', r.configured === 0 ? 'none configured'
      : failing.length === 0 ? r.configured + ' report' + (r.configured === 1 ? '' : 's') + ', none failing'
        : failing.map(f => f.name + ' ' + f.period + ': ' + f.error).join(' · '));
  state('card-reports', r.configured === 0 ? 'idle' : failing.length === 0 ? 'ok' : 'bad');
}

function streams(all) {
  const body = document.querySelector('#overview-streams tbody');
  body.replaceChildren(...Object.entries(all).map(([name, s]) => el('tr', { dataset: { stream: name } },
      el('td', {}, name),
      el('td', { class: 'num' }, fmtNum(s.accepted)),
      el('td', { class: 'num' }, fmtNum(s.rejected)),
      el('td', { class: 'num' }, fmtNum(s.hot_path_lag)),
      el('td', {}, fmtTime(s.watermark)))));
}

/** The plan is fixed at start-up: read it once per visit. */
async function loadPlan() {
  let plan;
  try {
    plan = await api('/v1/plan');
  } catch (e) {
    return;
  }
  const body = document.querySelector('#overview-plan tbody');
  body.replaceChildren(...plan.workloads.map(w => el('tr', { dataset: { workload: w.kind + ':' + w.name } },
      el('td', {}, w.name),
      el('td', {}, w.kind),
      el('td', {}, el('span', { class: 'path path-' + w.path.replace('+', '-') }, w.path)),
      el('td', {}, Object.entries(w.needs).map(([k, v]) => k + ': ' + v).join(', ') || '—'),
      el('td', {}, w.rule))));
}

function plot(o) {
  const now = Date.now() / 1000;
  history[0].push(now);
  history[1].push(o.ingest_rate === null ? null : Math.round(o.ingest_rate));
  history[2].push(o.hot_path_lag);
  while (history[0].length && history[0][0] < now - HISTORY_SECONDS) {
    history.forEach(h => h.shift());
  }
  const node = document.getElementById('overview-chart');
  if (!chart) {
    chart = new uPlot({
      width: node.clientWidth || 800,
      height: 200,
      legend: { show: true },
      scales: {
        // always the last HISTORY_SECONDS up to the newest sample, also while there are only one or two (uPlot
        // would otherwise pad a single sample's range by years)
        x: { time: true, range: u => {
          const xs = u.data[0];
          const newest = xs.length ? xs[xs.length - 1] : Date.now() / 1000;
          return [newest - HISTORY_SECONDS, newest];
        } },
        y: { range: (u, min, max) => [0, Math.max(10, max * 1.1)] },
        lag: { range: (u, min, max) => [0, Math.max(10, max * 1.1)] },
      },
      series: [
        {},
        { label: 'events/s', stroke: '#2563eb', fill: 'rgba(37, 99, 235, 0.08)', width: 2,
          points: { show: false }, value: (u, v) => fmtNum(v) },
        { label: 'lag (events)', stroke: '#ea580c', width: 1.5, scale: 'lag', points: { show: false },
          value: (u, v) => fmtNum(v) },
      ],
      axes: [
        {},
        { values: (u, ticks) => ticks.map(fmtCompact), size: 60 },
        { side: 1, scale: 'lag', grid: { show: false }, values: (u, ticks) => ticks.map(fmtCompact), size: 60 },
      ],
    }, history, node);
    new ResizeObserver(() => chart.setSize({ width: node.clientWidth, height: 200 })).observe(node);
  } else {
    chart.setData(history);
  }
}
