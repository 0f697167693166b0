// Alerts: the live feed from GET /v1/alerts/live (server-sent events named "alert"), the rules with their
// conditions from GET /v1/alerts/rules, and the last day from GET /v1/alerts.

import { api, eventSource, fmtNum, fmtTime, el, liveIndicator } from './common.js';

const HISTORY_MS = 24 * 3600 * 1000;
const MAX_FEED = 100;

let source = null;
let rules = {};
let live = 0;

export async function enter() {
  document.getElementById('alerts-unavailable').hidden = true;
  await loadRules();
  if (await loadHistory()) {
    openStream();
  }
}

export function leave() {
  if (source) {
    source.close();
    source = null;
  }
  liveIndicator('idle', 'idle');
}

function unavailable(reason) {
  const node = document.getElementById('alerts-unavailable');
  node.textContent = 'Alerts are not available on this server (' + reason + ').';
  node.hidden = false;
}

/** A rule's condition, whatever the rule calls it. */
function conditionOf(rule) {
  return rule.condition || rule.when || rule.expression || rule.description || '';
}

async function loadRules() {
  let list = [];
  try {
    list = (await api('/v1/alerts/rules')).rules || [];
  } catch (e) {
    return;
  }
  rules = Object.fromEntries(list.map(r => [r.name, r]));
  if (!list.length) {
    return;
  }
  document.getElementById('alerts-rules').replaceChildren(...list.map(r => el('div', {
    class: 'rule', dataset: { rule: r.name },
  }, el('div', { class: 'rule-name' }, r.name),
  r.view ? el('div', { class: 'muted small' }, 'on ' + r.view) : null,
  el('code', { class: 'rule-condition' }, conditionOf(r)))));
}

/** Shows the last day; false when the server has no alerts. */
async function loadHistory() {
  const to = Date.now();
  const q = new URLSearchParams({ from: new Date(to - HISTORY_MS).toISOString(), to: new Date(to).toISOString() });
  let alerts;
  try {
    alerts = (await api('/v1/alerts?' + q)).alerts || [];
  } catch (e) {
    unavailable(e.status === 404 ? 'no alert endpoints' : e.message);
    return false;
  }
  const body = document.querySelector('#alerts-history tbody');
  body.replaceChildren(...alerts.slice().reverse().map(a => el('tr', { dataset: { id: a.id } },
      el('td', {}, fmtTime(a.fired_at)),
      el('td', {}, el('span', { class: 'pill' }, a.rule)),
      el('td', {}, a.bucket ? fmtTime(a.bucket, false) : '—'),
      el('td', {}, chips(a.dims)),
      el('td', {}, values(a.values)),
      el('td', {}, el('code', {}, why(a))))));
  if (!alerts.length) {
    body.replaceChildren(el('tr', { class: 'empty-row' }, el('td', { colspan: 6 }, 'No alert in the last 24 hours.')));
  }
  return true;
}

function chips(dims) {
  const entries = Object.entries(dims || {});
  return entries.length ? entries.map(([k, v]) => el('span', { class: 'chip' }, k + ' ', el('b', {}, String(v))))
      : el('span', { class: 'muted' }, 'all');
}

function values(vals) {
  return Object.entries(vals || {}).map(([k, v]) => el('span', { class: 'kv' }, k + ' ',
      el('b', {}, typeof v === 'number' ? fmtNum(v) : String(v))));
}

function why(alert) {
  const rule = rules[alert.rule];
  return rule ? conditionOf(rule) : alert.reason || alert.rule;
}

function openStream() {
  if (source) {
    source.close();
  }
  source = eventSource('/v1/alerts/live');
  liveIndicator('connecting', 'connecting');
  source.onopen = () => liveIndicator('live', 'live');
  source.onerror = () => liveIndicator('connecting', 'reconnecting');
  source.addEventListener('alert', e => show(JSON.parse(e.data)));
}

function show(a) {
  const feed = document.getElementById('alerts-feed');
  document.getElementById('alerts-feed-empty')?.remove();
  feed.prepend(el('article', { class: 'alert fresh', dataset: { id: a.id, rule: a.rule } },
      el('div', { class: 'alert-head' },
          el('span', { class: 'alert-rule' }, a.rule),
          el('time', { class: 'alert-time', datetime: a.fired_at }, fmtTime(a.fired_at))),
      el('div', { class: 'alert-why' }, 'fired because ', el('code', {}, why(a))),
      el('div', { class: 'alert-dims' }, chips(a.dims),
          a.bucket ? el('span', { class: 'muted small' }, ' bucket ' + fmtTime(a.bucket, false)) : null),
      el('div', { class: 'alert-values' }, values(a.values))));
  while (feed.children.length > MAX_FEED) {
    feed.lastElementChild.remove();
  }
  live++;
  document.getElementById('alerts-live-count').textContent = live + ' since this page opened';
}
