// Shared helpers of the dashboard: fetching JSON, formatting numbers and times, building elements.

// The API token of a server with a tokens file (a token with the read scope): asked for once, when the API first
// answers 401 or 403, and kept in this tab's session storage. Fetches send it as Authorization: Bearer; event
// streams as ?access_token=, because an EventSource cannot set headers (the server takes that parameter on its
// streams only).
const TOKEN_KEY = 'tandem.token';
let asking = null;

function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

/** Shows the token dialog; every caller waiting on a 401 or 403 shares the one question. */
function askToken(refused) {
  if (!asking) {
    asking = new Promise(resolve => {
      const dialog = document.getElementById('token-dialog');
      const input = document.getElementById('token-input');
      document.getElementById('token-message').textContent = refused
        ? 'The server refused that token: ' + refused + ' Enter a token with the read scope.'
        : 'This server needs an API token with the read scope (tandem token create --scopes read).';
      input.value = '';
      dialog.oncancel = e => e.preventDefault();
      document.getElementById('token-form').onsubmit = e => {
        e.preventDefault();
        sessionStorage.setItem(TOKEN_KEY, input.value.trim());
        dialog.close();
        asking = null;
        resolve();
      };
      dialog.showModal();
      input.focus();
    });
  }
  return asking;
}

export async function api(path) {
  let res;
  for (;;) {
    const sent = token();
    const headers = { Accept: 'application/json' };
    if (sent) {
      headers.Authorization = 'Bearer ' + sent;
    }
    res = await fetch(path, { headers });
    if (res.status !== 401 && res.status !== 403) {
      break;
    }
    if (token() === sent) {
      let reason = null;
      if (sent !== null) {
        try {
          reason = (await res.json()).error.message;
        } catch (ignored) {
          reason = res.statusText;
        }
      }
      await askToken(reason);
    }
  }
  if (!res.ok) {
    let reason = res.statusText;
    try {
      reason = (await res.json()).error.message || reason;
    } catch (ignored) {
      // not JSON: keep the status text
    }
    const error = new Error(reason);
    error.status = res.status;
    throw error;
  }
  return res.json();
}

/** An EventSource on one of the API's streams, carrying the token when there is one. */
export function eventSource(path) {
  const url = new URL(path, location.href);
  const t = token();
  if (t) {
    url.searchParams.set('access_token', t);
  }
  return new EventSource(url);
}

const integer = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 });

/** A count or amount: 51,234 or 12.5; "—" for nothing. */
export function fmtNum(v) {
  if (v === null || v === undefined || Number.isNaN(v)) {
    return '—';
  }
  if (typeof v !== 'number') {
    return String(v);
  }
  return Number.isInteger(v) ? integer.format(v) : decimal.format(v);
}

/** A large number shortened: 51.2k, 3.4M. */
export function fmtCompact(v) {
  if (v === null || v === undefined) {
    return '—';
  }
  const abs = Math.abs(v);
  if (abs >= 1e6) {
    return (v / 1e6).toFixed(abs >= 1e7 ? 1 : 2) + 'M';
  }
  if (abs >= 1e4) {
    return (v / 1e3).toFixed(1) + 'k';
  }
  return integer.format(v);
}

/** Milliseconds with sensible precision: 0.42, 8.1, 153. */
export function fmtMs(v) {
  if (v === null || v === undefined) {
    return '—';
  }
  return v < 1 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : integer.format(v);
}

/** A duration in seconds as the largest fitting unit: [value, unit]. */
export function fmtAge(seconds) {
  if (seconds === null || seconds === undefined) {
    return ['—', ''];
  }
  const s = Math.max(0, seconds);
  if (s < 90) {
    return [String(Math.round(s)), 's'];
  }
  if (s < 90 * 60) {
    return [String(Math.round(s / 60)), 'min'];
  }
  if (s < 48 * 3600) {
    return [(s / 3600).toFixed(1), 'h'];
  }
  return [(s / 86400).toFixed(1), 'days'];
}

/** An ISO instant as local time: 10:05:30, with the date when it is not today. */
export function fmtTime(iso, withSeconds = true) {
  if (!iso) {
    return '—';
  }
  const d = new Date(iso);
  const opts = { hour: '2-digit', minute: '2-digit' };
  if (withSeconds) {
    opts.second = '2-digit';
  }
  const time = d.toLocaleTimeString(undefined, opts);
  return d.toDateString() === new Date().toDateString() ? time
      : d.toLocaleDateString(undefined, { month: 'short', day: 'numeric' }) + ' ' + time;
}

/** document.createElement with attributes and children (strings become text). */
export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) {
      continue;
    }
    if (k === 'class') {
      e.className = v;
    } else if (k === 'dataset') {
      Object.assign(e.dataset, v);
    } else {
      e.setAttribute(k, v === true ? '' : v);
    }
  }
  for (const c of children.flat()) {
    if (c !== null && c !== undefined) {
      e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
  }
  return e;
}

/** Shows the state of the page's live connection in the header. */
export function liveIndicator(state, text) {
  const node = document.getElementById('live-indicator');
  node.dataset.state = state;
  node.querySelector('.text').textContent = text;
}

export const PALETTE = ['#2563eb', '#16a34a', '#ea580c', '#9333ea', '#0891b2', '#db2777', '#65a30d', '#ca8a04'];
