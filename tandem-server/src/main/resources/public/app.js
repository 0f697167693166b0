// The dashboard: four pages behind hash routes (#overview, #views?view=...&DIM=...&measure=..., #alerts,
// #analyses).

import * as overview from './overview.js';
import * as views from './views.js';
import * as alerts from './alerts.js';
import * as analyses from './analyses.js';

const pages = { overview, views, alerts, analyses };
let current = null;

function parseHash() {
  const [name, query] = location.hash.replace(/^#/, '').split('?');
  return { name: pages[name] ? name : 'overview', params: new URLSearchParams(query || '') };
}

function route() {
  const { name, params } = parseHash();
  if (current && current !== name) {
    pages[current].leave();
  }
  for (const page of Object.keys(pages)) {
    document.getElementById('page-' + page).hidden = page !== name;
    document.getElementById('tab-' + page).classList.toggle('active', page === name);
  }
  document.title = 'Tandem · ' + name[0].toUpperCase() + name.slice(1);
  current = name;
  pages[name].enter(params);
}

window.addEventListener('hashchange', route);
route();
