// Views: pick a view, its dimensions and a measure; the last hour from GET /v1/views/{view}, then live rows from
// GET /v1/views/{view}/live (server-sent events), on a chart with the batch boundary and in a table.

import { api, eventSource, fmtNum, fmtTime, el, liveIndicator, PALETTE } from './common.js';

const WINDOW_MS = 3600 * 1000;
const MAX_SERIES = 8;
const MAX_TABLE_ROWS = 200;
const RENDER_EVERY_MS = 250;

let catalog = null;
let view = null;
let measure = null;
let dims = {};
let rows = new Map();
let boundary = null;
let source = null;
let chart = null;
let renderTimer = null;
let updates = [];
let recent = new Map();
let loadId = 0;
let coldOnly = false;
let staleSeconds = null;
let suggested = 0;

export async function enter(params) {
  if (!catalog) {
    try {
      // a view's computed results are charted and tabled like its measures, after them
      catalog = (await api('/v1/views')).views.map(v => ({ ...v, measures: v.measures.concat(v.results.map(r =>
        ({ name: r.name, function: 'result', definition: r.expression }))) }));
    } catch (e) {
      status('Cannot list the views: ' + e.message);
      return;
    }
    const select = document.getElementById('views-view');
    select.replaceChildren(...catalog.map(v => el('option', { value: v.name }, v.name)));
    select.addEventListener('change', () => {
      view = catalog.find(v => v.name === select.value);
      fillForm({});
      navigate();
    });
    document.getElementById('views-form').addEventListener('submit', e => {
      e.preventDefault();
      navigate();
    });
    document.getElementById('views-measure').addEventListener('change', () => navigate());
    document.getElementById('views-table').addEventListener('click', narrow);
  }
  if (!catalog.length) {
    status('This server has no views.');
    return;
  }
  view = catalog.find(v => v.name === params.get('view')) || view || catalog[0];
  const given = {};
  view.dimensions.forEach(d => {
    if (params.get(d.name)) {
      given[d.name] = params.get(d.name);
    }
  });
  fillForm(given, params.get('measure'));
  load();
}

export function leave() {
  closeStream();
}

/** Puts the choices in the address, so that a view is a link; the hash change loads it. */
function navigate() {
  const q = new URLSearchParams({ view: document.getElementById('views-view').value });
  document.querySelectorAll('#views-dims input').forEach(input => {
    if (input.value.trim()) {
      q.set(input.name, input.value.trim());
    }
  });
  q.set('measure', document.getElementById('views-measure').value);
  const hash = '#views?' + q;
  if (location.hash === hash) {
    enter(q);
  } else {
    location.hash = hash;
  }
}

function fillForm(given, wantedMeasure) {
  document.getElementById('views-view').value = view.name;
  document.getElementById('views-dims').replaceChildren(...view.dimensions.map(d => el('label', {},
      d.name, el('input', { id: 'views-dim-' + d.name, class: 'views-dim', name: d.name, value: given[d.name] || '',
        placeholder: 'any ' + d.type, autocomplete: 'off', list: 'views-dim-' + d.name + '-values' }),
      el('datalist', { id: 'views-dim-' + d.name + '-values' }))));
  const select = document.getElementById('views-measure');
  select.replaceChildren(...view.measures.map(m => el('option', { value: m.name }, m.name + ' · ' + m.definition)));
  const numeric = view.measures.find(m => m.function !== 'first' && m.function !== 'last') || view.measures[0];
  select.value = view.measures.some(m => m.name === wantedMeasure) ? wantedMeasure
      : (select.value && view.measures.some(m => m.name === select.value) ? select.value : numeric.name);
}

function status(text) {
  document.getElementById('views-status').textContent = text;
}

function keyOf(r) {
  return r.bucket + '|' + view.dimensions.map(d => r[d.name]).join('|');
}

function groupOf(r) {
  return view.dimensions.length ? view.dimensions.map(d => r[d.name]).join(' · ') : view.name;
}

async function load() {
  const id = ++loadId;
  closeStream();
  measure = document.getElementById('views-measure').value;
  dims = {};
  document.querySelectorAll('#views-dims input').forEach(input => {
    if (input.value.trim()) {
      dims[input.name] = input.value.trim();
    }
  });
  const g = view.granularity_ms;
  const now = Date.now();
  const from = Math.floor((now - WINDOW_MS) / g) * g;
  const to = Math.floor(now / g) * g + g;
  const q = new URLSearchParams({ from: new Date(from).toISOString(), to: new Date(to).toISOString(), ...dims });
  const filter = Object.entries(dims).map(([k, v]) => k + '=' + v).join(', ');
  document.getElementById('views-title').textContent = view.name + ' · ' + measure
      + (filter ? ' · ' + filter : '') + ' · per ' + view.granularity;
  status('loading…');
  let result;
  try {
    result = await api('/v1/views/' + encodeURIComponent(view.name) + '?' + q);
  } catch (e) {
    status(e.message);
    return;
  }
  if (id !== loadId) {
    return;
  }
  boundary = result.boundary;
  rows = new Map(result.rows.map(r => [keyOf(r), r]));
  recent = new Map();
  updates = [];
  if (chart) {
    chart.destroy();
    chart = null;
  }
  coldOnly = result.path === 'cold';
  staleSeconds = result.stale_seconds;
  renderTable();
  renderChart();
  renderBoundary();
  if (coldOnly) {
    liveIndicator('idle', 'cold path only');
  } else {
    openStream();
  }
}

function openStream() {
  const q = new URLSearchParams(dims);
  source = eventSource('/v1/views/' + encodeURIComponent(view.name) + '/live?' + q);
  liveIndicator('connecting', 'connecting');
  source.onopen = () => liveIndicator('live', 'live');
  source.onerror = () => liveIndicator('connecting', 'reconnecting');
  source.addEventListener('row', e => {
    const r = JSON.parse(e.data);
    const k = keyOf(r);
    rows.set(k, r);
    recent.set(k, Date.now());
    updates.push(Date.now());
    scheduleRender();
  });
  source.addEventListener('dropped', e => {
    status('The server dropped this stream (' + JSON.parse(e.data).error.message + '); resuming…');
  });
}

function closeStream() {
  if (source) {
    source.close();
    source = null;
  }
  liveIndicator('idle', 'idle');
}

function scheduleRender() {
  if (renderTimer) {
    return;
  }
  renderTimer = setTimeout(() => {
    renderTimer = null;
    const oldest = Math.floor((Date.now() - WINDOW_MS) / view.granularity_ms) * view.granularity_ms;
    for (const [k, r] of rows) {
      if (Date.parse(r.bucket) < oldest) {
        rows.delete(k);
      }
    }
    renderTable();
    renderChart();
  }, RENDER_EVERY_MS);
}

function renderBoundary() {
  if (coldOnly) {
    document.getElementById('views-boundary').textContent = 'cold path only: answered from the batch'
        + (boundary && boundary.until ? ', arrivals until ' + fmtTime(boundary.until, false) + ' ('
          + fmtNum(staleSeconds) + ' s stale, v' + boundary.version + ')' : '; no batch run has published yet');
    return;
  }
  const text = boundary && boundary.until
      ? 'batch boundary: arrivals until ' + fmtTime(boundary.until, false) + ' (epoch ' + boundary.epoch
        + ', v' + boundary.version + ')'
      : 'no batch boundary yet: every row is real time';
  document.getElementById('views-boundary').textContent = text;
}

function cell(v) {
  return typeof v === 'number' ? fmtNum(v) : v === null || v === undefined ? '—' : String(v);
}

function renderTable() {
  const now = Date.now();
  updates = updates.filter(t => t > now - 5000);
  const table = document.getElementById('views-table');
  const head = ['bucket', ...view.dimensions.map(d => d.name), ...view.measures.map(m => m.name), 'source'];
  table.tHead.replaceChildren(el('tr', {}, head.map((h, i) => el('th', {
    class: i > view.dimensions.length && i < head.length - 1 ? 'num' : null,
  }, h))));
  const sorted = [...rows.values()].sort((a, b) => a.bucket < b.bucket ? 1 : a.bucket > b.bucket ? -1
      : groupOf(a).localeCompare(groupOf(b)));
  table.tBodies[0].replaceChildren(...sorted.slice(0, MAX_TABLE_ROWS).map(r => {
    const changed = recent.get(keyOf(r));
    return el('tr', { dataset: { key: keyOf(r) }, class: changed && changed > now - 1000 ? 'updated' : null },
        el('td', {}, fmtTime(r.bucket, false)),
        view.dimensions.map(d => el('td', { class: 'dim', title: 'show only ' + d.name + ' ' + r[d.name],
          dataset: { dim: d.name, value: r[d.name] } }, cell(r[d.name]))),
        view.measures.map(m => el('td', { class: 'num' + (m.name === measure ? ' chosen' : '') }, cell(r[m.name]))),
        el('td', {}, el('span', { class: 'source source-' + r.source }, r.source)));
  }));
  suggest(sorted);
  document.getElementById('views-row-count').textContent = rows.size + ' rows'
      + (rows.size > MAX_TABLE_ROWS ? ' (newest ' + MAX_TABLE_ROWS + ' shown)' : '');
  status(source ? (updates.length / 5).toFixed(1) + ' row updates/s' : '');
}

/** Offers the values seen in the rows in each dimension's input, once a second at most. */
function suggest(sorted) {
  if (Date.now() - suggested < 1000) {
    return;
  }
  suggested = Date.now();
  for (const d of view.dimensions) {
    const list = document.getElementById('views-dim-' + d.name + '-values');
    const seen = [...new Set(sorted.map(r => String(r[d.name])))].sort().slice(0, 500);
    list.replaceChildren(...seen.map(v => el('option', { value: v })));
  }
}

/** A click on a dimension's value in the table narrows the view to it. */
function narrow(e) {
  const td = e.target.closest('td.dim');
  if (td) {
    document.getElementById('views-dim-' + td.dataset.dim).value = td.dataset.value;
    navigate();
  }
}

/** One series per group, the groups with the largest latest values first, at most MAX_SERIES of them. */
function chartData() {
  const g = view.granularity_ms;
  const now = Date.now();
  const from = Math.floor((now - WINDOW_MS) / g) * g;
  const to = Math.floor(now / g) * g;
  const xs = [];
  for (let t = from; t <= to; t += g) {
    xs.push(t);
  }
  const groups = new Map();
  for (const r of rows.values()) {
    const v = r[measure];
    if (typeof v !== 'number') {
      continue;
    }
    const name = groupOf(r);
    if (!groups.has(name)) {
      groups.set(name, new Map());
    }
    groups.get(name).set(Date.parse(r.bucket), v);
  }
  const latest = m => m.get(Math.max(...m.keys()));
  const chosen = [...groups.entries()].sort((a, b) => latest(b[1]) - latest(a[1])).slice(0, MAX_SERIES);
  const note = groups.size > MAX_SERIES ? 'Showing the ' + MAX_SERIES + ' of ' + groups.size
      + ' groups with the largest latest ' + measure + '; give a dimension to narrow it down.' : '';
  document.getElementById('views-chart-note').textContent = note;
  return {
    names: chosen.map(([name]) => name),
    data: [xs.map(t => t / 1000), ...chosen.map(([, values]) => xs.map(t => values.has(t) ? values.get(t) : null))],
  };
}

function boundaryPlugin() {
  return {
    hooks: {
      draw: u => {
        if (!boundary || !boundary.until) {
          return;
        }
        const x = Math.round(u.valToPos(Date.parse(boundary.until) / 1000, 'x', true));
        if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) {
          return;
        }
        const ctx = u.ctx;
        const px = devicePixelRatio || 1;
        ctx.save();
        ctx.strokeStyle = '#7c3aed';
        ctx.lineWidth = 2 * px;
        ctx.setLineDash([6 * px, 4 * px]);
        ctx.beginPath();
        ctx.moveTo(x, u.bbox.top);
        ctx.lineTo(x, u.bbox.top + u.bbox.height);
        ctx.stroke();
        ctx.setLineDash([]);
        ctx.fillStyle = '#7c3aed';
        ctx.font = (11 * px) + 'px system-ui, sans-serif';
        ctx.textAlign = 'right';
        ctx.fillText('batch', x - 6 * px, u.bbox.top + 14 * px);
        ctx.textAlign = 'left';
        ctx.fillText('real time', x + 6 * px, u.bbox.top + 14 * px);
        ctx.restore();
      },
    },
  };
}

function renderChart() {
  const node = document.getElementById('views-chart');
  const { names, data } = chartData();
  const sameSeries = chart && chart.series.length - 1 === names.length
      && names.every((n, i) => chart.series[i + 1].label === n);
  if (sameSeries) {
    chart.setData(data);
    return;
  }
  if (chart) {
    chart.destroy();
  }
  chart = new uPlot({
    width: node.clientWidth || 900,
    height: 320,
    plugins: [boundaryPlugin()],
    scales: { x: { time: true } },
    series: [{}, ...names.map((name, i) => ({
      label: name, stroke: PALETTE[i % PALETTE.length], width: 2, spanGaps: false,
      points: { show: false }, value: (u, v) => fmtNum(v),
    }))],
    axes: [{}, { size: 70, values: (u, ticks) => ticks.map(fmtNum) }],
  }, data, node);
  if (!node.dataset.observed) {
    node.dataset.observed = 'yes';
    new ResizeObserver(() => chart && chart.setSize({ width: node.clientWidth, height: 320 })).observe(node);
  }
}
