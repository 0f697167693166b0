// Analyses: the anomalous results with both passes (GET /v1/analyses?anomalous=true), updated live from
// GET /v1/analyses/live (server-sent events named "analysis": each quick result, then its deep update), the deep
// pass's queue (GET /v1/analyses/status), and per result a chart of the group's recent values with the baseline
// the deep pass expected (carried in its explanation, so no extra query).

import { api, eventSource, fmtNum, fmtMs, fmtTime, el, liveIndicator, PALETTE } from './common.js';

const SHOWN = 30;

let source = null;
let scored = 0;
const charts = new Map();

export async function enter() {
  document.getElementById('analyses-unavailable').hidden = true;
  if (await load()) {
    openStream();
  }
  status();
}

export function leave() {
  if (source) {
    source.close();
    source = null;
  }
  charts.forEach(c => c.destroy());
  charts.clear();
  liveIndicator('idle', 'idle');
}

async function load() {
  let defs;
  let list;
  try {
    defs = (await api('/v1/analyses/definitions')).analyses || [];
    list = (await api('/v1/analyses?anomalous=true&limit=' + SHOWN)).analyses || [];
  } catch (e) {
    const node = document.getElementById('analyses-unavailable');
    node.textContent = 'Analyses are not available on this server (' + (e.status === 404 ? 'no analysis endpoints'
        : e.message) + ').';
    node.hidden = false;
    return false;
  }
  document.getElementById('analyses-defs').replaceChildren(...(defs.length ? defs.map(d => el('div',
      { class: 'rule', dataset: { analysis: d.name } }, el('div', { class: 'rule-name' }, d.name),
      el('div', { class: 'muted small' }, d.view + '.' + d.measure + ' per ' + (d.for_each.join(', ') || 'all'))))
      : [el('div', { class: 'muted small' }, 'No analyses configured.')]));
  const feed = document.getElementById('analyses-feed');
  charts.forEach(c => c.destroy());
  charts.clear();
  feed.replaceChildren();
  list.forEach(entry => show(entry));
  if (!list.length) {
    feed.replaceChildren(el('div', { class: 'empty small', id: 'analyses-feed-empty' }, 'No anomaly yet.'));
  }
  return true;
}

async function status() {
  try {
    const s = await api('/v1/analyses/status');
    document.getElementById('analyses-status').textContent = 'deep pass: ' + s.deep_running + ' running, '
        + s.deep_queued + '/' + s.deep_queue_capacity + ' queued, ' + s.deep_backlog + ' in backlog · queue full '
        + s.deep_queue_full_total + '× · ' + s.groups + ' groups · ' + s.state;
  } catch (e) {
    // the status line is a nicety; the page works without it
  }
}

function openStream() {
  if (source) {
    source.close();
  }
  source = eventSource('/v1/analyses/live');
  liveIndicator('connecting', 'connecting');
  source.onopen = () => liveIndicator('live', 'live');
  source.onerror = () => liveIndicator('connecting', 'reconnecting');
  source.addEventListener('analysis', async e => {
    const r = JSON.parse(e.data);
    if (r.pass === 'quick') {
      scored++;
      document.getElementById('analyses-live-count').textContent = scored + ' buckets scored since this page opened';
    }
    if (r.grade > 0 || document.querySelector('[data-result="' + r.id + '"]')) {
      try {
        show(await api('/v1/analyses/' + r.id));
      } catch (err) {
        // the next event brings it again
      }
      status();
    }
  });
}

function chips(dims) {
  const entries = Object.entries(dims || {});
  return entries.length ? entries.map(([k, v]) => el('span', { class: 'chip' }, k + ' ', el('b', {}, String(v))))
      : el('span', { class: 'muted' }, 'all');
}

function pass(name, p) {
  if (!p) {
    return el('div', { class: 'pass pending' }, el('b', {}, name), ' pending…');
  }
  return el('div', { class: 'pass', dataset: { pass: name } }, el('b', {}, name),
      ' grade ', el('b', {}, p.grade.toFixed(2)), ' · score ', fmtNum(p.score),
      ' · ', el('span', { class: 'elapsed' }, fmtMs(p.elapsed_ms) + ' ms'), ' after close',
      el('span', { class: 'muted small' }, ' (' + p.model + ')'));
}

function explain(deep) {
  const x = deep && deep.explanation;
  if (!x) {
    return null;
  }
  const range = x.range || {};
  return el('div', { class: 'alert-why' }, x.measure + ' ', el('b', {}, fmtNum(x.value)), ', expected ',
      el('b', {}, fmtNum(x.expected)), ' (' + fmtNum(range.low) + ' – ' + fmtNum(range.high) + '), robust z ',
      el('b', {}, x.robust_z === null ? '—' : x.robust_z.toFixed(1)), ' · baseline ' + x.baseline + ' over '
      + x.baseline_points + ' buckets');
}

function show(entry) {
  const feed = document.getElementById('analyses-feed');
  document.getElementById('analyses-feed-empty')?.remove();
  const chart = el('div', { class: 'analysis-chart' });
  const card = el('article', { class: 'alert fresh', dataset: { result: entry.id } },
      el('div', { class: 'alert-head' },
          el('span', { class: 'alert-rule' }, entry.analysis),
          el('time', { class: 'alert-time', datetime: entry.bucket }, 'bucket ' + fmtTime(entry.bucket, false))),
      el('div', { class: 'alert-dims' }, chips(entry.dims), ' value ', el('b', {}, fmtNum(entry.value))),
      pass('quick', entry.quick), pass('deep', entry.deep), explain(entry.deep), chart);
  const old = feed.querySelector('[data-result="' + entry.id + '"]');
  if (charts.has(entry.id)) {
    charts.get(entry.id).destroy();
    charts.delete(entry.id);
  }
  if (old) {
    old.replaceWith(card);
  } else {
    feed.prepend(card);
  }
  plot(entry, chart);
  while (feed.children.length > SHOWN) {
    const last = feed.lastElementChild;
    charts.get(last.dataset.result)?.destroy();
    charts.delete(last.dataset.result);
    last.remove();
  }
}

function plot(entry, node) {
  const recent = entry.deep && entry.deep.explanation && entry.deep.explanation.recent;
  if (!recent || !recent.length || typeof uPlot === 'undefined') {
    return;
  }
  const t = Date.parse(entry.bucket) / 1000;
  const xs = recent.map(p => p[0] / 1000).concat([t]);
  const values = recent.map(p => p[1]).concat([entry.value]);
  const expected = recent.map(p => p[2]).concat([entry.deep.explanation.expected]);
  charts.set(entry.id, new uPlot({
    width: Math.max(240, node.clientWidth || 420),
    height: 140,
    scales: { x: { time: true } },
    legend: { show: false },
    series: [{},
      { label: 'value', stroke: PALETTE[0], width: 2, points: { show: false } },
      { label: 'expected', stroke: PALETTE[2], width: 1, dash: [4, 4], points: { show: false } }],
    axes: [{}, { size: 80, values: (u, ticks) => ticks.map(fmtNum) }],
  }, [xs, values, expected], node));
}
