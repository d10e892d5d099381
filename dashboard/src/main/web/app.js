// The Veil dashboard page. Everything that comes from the host (function names, log lines, key ids,
// member names) is put into the page as text nodes, never parsed as HTML. The master key is only ever
// in the sign-in form, which the browser posts to the host; the page keeps the session's CSRF token
// in memory and sends it on every state-changing call.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import './app.css';

const $ = (id) => document.getElementById(id);
const PAGES = ['functions', 'log', 'keys', 'cluster', 'pool', 'triggers', 'batch'];
const LOG_ROWS = 1000;
const state = { csrf: null, batchRoute: null, timer: null, expiry: null, source: null, charts: new Map(), rows: new Map(), functions: [] };

/** An element with text or child nodes; strings become text nodes. */
function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === 'class') node.className = v;
    else node[k] = v;
  }
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(c == null ? '' : String(c)));
  return node;
}

function clear(node) {
  while (node.firstChild) node.firstChild.remove();
}

async function api(path, options = {}) {
  const headers = { ...(options.headers || {}) };
  if (options.method && options.method !== 'GET') headers['x-veil-csrf'] = state.csrf;
  const response = await fetch(path, { ...options, headers, credentials: 'same-origin' });
  if (response.status === 401) {
    signedOut();
    throw new Error('signed out');
  }
  return response;
}

async function json(path) {
  const response = await api(path);
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return response.json();
}

function fmt(v, digits = 2) {
  if (v == null || Number.isNaN(v)) return '–';
  const text = Number(v).toFixed(digits);
  return digits > 0 ? text.replace(/\.?0+$/, '') || '0' : text; // only a fraction's zeros go: 600 stays 600
}

function last(series) {
  for (let i = (series || []).length - 1; i >= 0; i--) if (series[i] != null) return series[i];
  return null;
}

// ---- charts -------------------------------------------------------------------------------------

/** A uPlot chart kept across refreshes under `key`, redrawn with new data. */
function chart(key, container, options, data) {
  let c = state.charts.get(key);
  if (c && c.series.length !== data.length) {
    c.destroy();
    c = null;
  }
  if (!c) {
    c = new uPlot(options, data, container);
    state.charts.set(key, c);
  } else {
    c.setData(data);
  }
  return c;
}

function sparkline(key, container, times, ...series) {
  const colours = ['#2b7bb9', '#c0392b'];
  return chart(key, container, {
    width: 120, height: 32, pxAlign: false, cursor: { show: false }, select: { show: false },
    legend: { show: false }, scales: { x: { time: false } },
    axes: [{ show: false }, { show: false }],
    series: [{}, ...series.map((_, i) => ({ stroke: colours[i], width: 1.5, spanGaps: true }))],
  }, [times.map((_, i) => i), ...series]);
}

function lineChart(key, container, times, named) {
  const colours = ['#2b7bb9', '#27ae60', '#c0392b', '#8e44ad', '#d35400', '#16a085'];
  const names = Object.keys(named);
  return chart(key, container, {
    width: 640, height: 200,
    series: [{}, ...names.map((n, i) => ({ label: n, stroke: colours[i % colours.length], width: 2, spanGaps: true }))],
    axes: [{}, {}],
  }, [times, ...names.map((n) => named[n])]);
}

function barChart(key, container, labels, values) {
  return chart(key, container, {
    width: 640, height: 180, scales: { x: { time: false } },
    series: [{ label: 'batch size' }, { label: 'batches', stroke: '#2b7bb9', fill: 'rgba(43,123,185,0.4)', paths: uPlot.paths.bars({ size: [0.8, 40] }) }],
    axes: [{}, {}],
  }, [labels, values]);
}

// ---- pages --------------------------------------------------------------------------------------

function renderFunctions(list, overview) {
  const body = $('functions-rows');
  const seen = new Set();
  $('functions-hint').textContent = overview.t.length < 1
    ? 'Rates and latencies appear after the second sample.' : `Last ${overview.t.length} samples.`;
  for (const fn of list) {
    seen.add(fn.name);
    let row = state.rows.get(fn.name);
    if (!row) {
      const cells = {};
      for (const k of ['name', 'status', 'trigger', 'route', 'auth', 'rate', 'errors', 'p50', 'p99', 'rateChart', 'latencyChart']) cells[k] = el('td');
      cells.name = el('th', { scope: 'row' });
      row = { tr: el('tr', {}, ...Object.values(cells)), cells };
      state.rows.set(fn.name, row);
      body.append(row.tr);
    }
    const s = overview.functions[fn.name] || { rate: [], errorRate: [], p50: [], p99: [] };
    const c = row.cells;
    c.name.textContent = fn.name;
    c.status.textContent = fn.status || (fn.isDisabled ? 'disabled' : 'running');
    c.trigger.textContent = fn.trigger || '';
    c.route.textContent = fn.route || '';
    c.auth.textContent = fn.authLevel || '';
    c.rate.textContent = fmt(last(s.rate));
    c.errors.textContent = last(s.errorRate) == null ? '–' : `${fmt(100 * last(s.errorRate), 1)}%`;
    c.p50.textContent = fmt(last(s.p50));
    c.p99.textContent = fmt(last(s.p99));
    sparkline(`rate:${fn.name}`, c.rateChart, overview.t, s.rate);
    sparkline(`lat:${fn.name}`, c.latencyChart, overview.t, s.p50, s.p99);
  }
  for (const [name, row] of state.rows) {
    if (!seen.has(name)) {
      row.tr.remove();
      state.rows.delete(name);
    }
  }
  const select = $('log-function');
  const current = new Set([...select.options].map((o) => o.value));
  for (const fn of list) if (!current.has(fn.name)) select.append(el('option', { value: fn.name }, fn.name));
}

function keyCacheReport(reports) {
  for (const r of Object.values(reports || {})) if (r && Array.isArray(r.keys)) return r;
  return null;
}

function renderKeys(overview) {
  const k = overview.keyCache;
  const report = keyCacheReport(overview.reports);
  const stats = $('keys-stats');
  clear(stats);
  const totals = k.totals || {};
  const gets = (totals.hits || 0) + (totals.misses || 0);
  const bound = report && report.boundBytes;
  const pairs = [
    ['Entries', fmt(last(k.entries), 0)],
    ['Bytes', report ? `${fmt(report.bytes / 1048576, 1)} MiB${bound ? ` of ${fmt(bound / 1048576, 0)} MiB` : ''}` : '–'],
    ['Hit rate', gets ? `${fmt(100 * totals.hits / gets, 1)}%` : '–'],
    ['Downloads', fmt(totals.downloads, 0)],
    ['Evictions', fmt(totals.evictions, 0)],
  ];
  for (const [dt, dd] of pairs) stats.append(el('dt', {}, dt), el('dd', {}, dd));
  if (bound) stats.append(el('dt', {}, 'Use of the bound'), el('dd', {}, el('meter', { min: 0, max: bound, value: report.bytes, title: 'bytes against the bound' })));
  lineChart('keys', $('keys-chart'), overview.t, {
    entries: k.entries, 'hit rate': k.hitRate, 'downloads/s': k.downloadsPerS, 'evictions/s': k.evictionsPerS,
  });
  const list = $('keys-list');
  clear(list);
  for (const key of (report && report.keys) || []) list.append(el('li', {}, key));
  if (!report) list.append(el('li', {}, 'No key cache on this host yet (it starts with the first encrypted function call).'));
}

function renderCluster(cluster, overview) {
  const rows = $('cluster-rows');
  const refused = $('cluster-refused');
  clear(rows);
  clear(refused);
  const members = cluster.clustered === false
    ? [{ nodeId: 'this host', address: location.host, inFlightInvocations: null, functions: state.functions.map((f) => f.name), reports: overview.reports }]
    : cluster.members || [];
  $('cluster-state').textContent = cluster.clustered === false
    ? 'This host runs alone (not clustered).'
    : `Cluster ${cluster.cluster || ''}: ${members.length} member(s), this node ${cluster.nodeId || ''}.`;
  for (const m of members) {
    const keys = (keyCacheReport(m.reports) || {}).keys || [];
    rows.append(el('tr', {},
      el('th', { scope: 'row' }, m.nodeId + (m.self ? ' (this node)' : '')),
      el('td', {}, m.address || m.error || ''),
      el('td', {}, m.inFlightInvocations == null ? '–' : String(m.inFlightInvocations)),
      el('td', {}, (m.functions || []).join(', ')),
      el('td', {}, keys.join(', '))));
  }
  for (const r of cluster.refused || []) refused.append(el('li', {}, `${r.nodeId} (${r.address})`));
  if (!(cluster.refused || []).length) refused.append(el('li', {}, 'none'));
}

function renderPool(overview) {
  const rows = $('pool-rows');
  clear(rows);
  const workers = [];
  for (const r of Object.values(overview.reports || {})) if (r && Array.isArray(r.workers)) workers.push(...r.workers);
  for (const w of workers) {
    rows.append(el('tr', {}, el('th', { scope: 'row' }, w.id), el('td', {}, w.device), el('td', {}, w.serves),
      el('td', {}, String(w.capacity)), el('td', {}, String(w.inFlight)), el('td', {}, w.healthy ? 'yes' : 'no')));
  }
  if (!workers.length) rows.append(el('tr', {}, el('td', { colSpan: 6 }, 'No accelerator pool on this host yet (it starts with the first image model call).')));
  lineChart('pool', $('pool-chart'), overview.t, { 'queue depth': overview.pool.queueDepth, ...overview.pool.utilisation });
  const sizes = {};
  for (const bySize of Object.values(overview.pool.batchSizes || {})) {
    for (const [size, n] of Object.entries(bySize)) sizes[size] = (sizes[size] || 0) + n;
  }
  const labels = Object.keys(sizes).map(Number).sort((a, b) => a - b);
  barChart('batches', $('pool-batches'), labels, labels.map((s) => sizes[s]));
}

function renderTriggers(overview) {
  const rows = $('triggers-rows');
  clear(rows);
  for (const g of overview.gauges || []) {
    const where = Object.entries(g.tags || {}).map(([k, v]) => `${k}=${v}`).join(' ');
    const value = g.name === 'veil.blob.last.scan'
      ? (g.value > 0 ? new Date(g.value * 1000).toISOString().replace('T', ' ').slice(0, 19) : 'not yet') : fmt(g.value, 0);
    rows.append(el('tr', {}, el('th', { scope: 'row' }, g.name), el('td', {}, where), el('td', {}, value)));
  }
  $('triggers-state').textContent = (overview.gauges || []).length
    ? '' : 'No Kafka consumer lag or blob scan figures on this host (no such triggers, or they report none yet).';
}

function renderBatch(batch) {
  const rows = $('batch-rows');
  clear(rows);
  const runs = batch.runs || [];
  $('batch-state').textContent = batch.unavailable ? batch.unavailable : runs.length ? '' : 'No batch runs yet.';
  for (const r of runs) {
    const total = r.rows_total || 0;
    const done = r.rows_done || 0;
    const progress = el('progress', { max: total || 1, value: total ? done : 0 });
    progress.setAttribute('aria-label', `run ${r.id}: ${done} of ${total} rows`);
    const actions = el('td');
    if (r.status === 'queued' || r.status === 'running') {
      actions.append(el('button', { type: 'button', onclick: () => cancelRun(r.id) }, 'Cancel'));
    }
    rows.append(el('tr', {}, el('th', { scope: 'row' }, r.id), el('td', {}, (r.request && r.request.model) || ''), el('td', {}, r.status || ''),
      el('td', {}, progress, ` ${done}/${total}`), el('td', {}, String(r.errors || 0)), actions));
  }
}

async function cancelRun(id) {
  await api(`/ui/api/host/batch/${encodeURIComponent(id)}`, { method: 'DELETE' });
  refresh();
}

// ---- the live log -------------------------------------------------------------------------------

function logLine(e) {
  const time = new Date(e.t).toISOString().slice(11, 23);
  const text = `${time} ${e.function} ${e.status}${e.code ? ` ${e.code}` : ''} ${e.ms} ms ${e.id}${e.problem ? ` — ${e.problem}` : ''}`;
  return el('li', { class: e.status === 'success' ? 'ok' : 'bad' }, text);
}

function openLog() {
  if (state.source) state.source.close();
  clear($('log-lines'));
  const params = new URLSearchParams({ tail: '200' });
  if ($('log-function').value) params.set('function', $('log-function').value);
  if ($('log-status').value) params.set('status', $('log-status').value);
  const source = new EventSource(`/ui/api/log?${params}`);
  state.source = source;
  $('log-state').textContent = 'connecting…';
  source.onopen = () => { $('log-state').textContent = 'live'; };
  source.onmessage = (m) => {
    const list = $('log-lines');
    list.prepend(logLine(JSON.parse(m.data)));
    while (list.childElementCount > LOG_ROWS) list.lastElementChild.remove();
  };
  source.onerror = () => {
    // The host ended the stream (session over, host stopping): find out which before reconnecting.
    source.close();
    $('log-state').textContent = 'disconnected';
    setTimeout(() => checkSession().then((ok) => { if (ok && state.source === source) openLog(); }), 1000);
  };
}

// ---- session and navigation ---------------------------------------------------------------------

async function checkSession() {
  const r = await fetch('/ui/session', { credentials: 'same-origin' });
  const s = await r.json();
  if (!s.signedIn) {
    signedOut();
    return false;
  }
  return true;
}

function signedOut() {
  if (state.timer) clearInterval(state.timer);
  if (state.expiry) clearTimeout(state.expiry);
  if (state.source) state.source.close();
  state.timer = null;
  state.source = null;
  state.csrf = null;
  $('nav').hidden = true;
  $('signout').hidden = true;
  for (const p of PAGES) $(p).hidden = true;
  $('signin').hidden = false;
}

function showPage() {
  const name = PAGES.includes(location.hash.slice(1)) ? location.hash.slice(1) : 'functions';
  for (const p of PAGES) $(p).hidden = p !== name;
  for (const a of document.querySelectorAll('#nav a')) {
    if (a.getAttribute('href') === `#${name}`) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

async function refresh() {
  try {
    const listed = json('/ui/api/host/functions');
    const [functions, overview, cluster, batch] = await Promise.all([
      listed,
      json('/ui/api/overview'),
      json('/ui/api/host/cluster'),
      // Asked only of a host that serves the batch service: a 404 would be a console error each refresh.
      listed.then((fns) => (fns.some((f) => f.route === state.batchRoute)
        ? api('/ui/api/host/batch').then((r) => (r.ok ? r.json() : { unavailable: `The batch service answered HTTP ${r.status}.` }))
        : { unavailable: 'This host does not serve the batch service.' })),
    ]);
    state.functions = functions;
    renderFunctions(functions, overview);
    renderKeys(overview);
    renderCluster(cluster, overview);
    renderPool(overview);
    renderTriggers(overview);
    renderBatch(batch);
    document.body.dataset.loaded = String(Date.now());
  } catch (e) {
    if (e.message !== 'signed out') $('functions-hint').textContent = `Could not refresh: ${e.message}`;
  }
}

async function start() {
  const r = await fetch('/ui/session', { credentials: 'same-origin' });
  const session = await r.json();
  if (new URLSearchParams(location.search).get('signin') === 'failed') $('signin-error').hidden = false;
  if (!session.signedIn) {
    signedOut();
    return;
  }
  state.csrf = session.csrf;
  state.batchRoute = session.batchRoute;
  $('signin').hidden = true;
  $('nav').hidden = false;
  $('signout').hidden = false;
  showPage();
  await refresh();
  openLog();
  state.timer = setInterval(refresh, Math.max(1000, session.sampleSeconds * 1000));
  // Stop calling the API just before the session ends, then let the host confirm it ended.
  state.expiry = setTimeout(() => {
    clearInterval(state.timer);
    state.timer = null;
    setTimeout(awaitEnd, 1500);
  }, Math.max(0, session.expiresInMs - 1500));
}

async function awaitEnd() {
  if (await checkSession()) setTimeout(awaitEnd, 1000);
}

document.addEventListener('DOMContentLoaded', () => {
  window.addEventListener('hashchange', () => {
    if (state.csrf) showPage();
    $('main').focus();
  });
  $('log-function').addEventListener('change', openLog);
  $('log-status').addEventListener('change', openLog);
  $('log-filters').addEventListener('submit', (e) => e.preventDefault());
  $('signout').addEventListener('click', async () => {
    const csrf = state.csrf;
    signedOut(); // stop the refreshes and the log stream first
    await fetch('/ui/api/signout', { method: 'POST', headers: { 'x-veil-csrf': csrf }, credentials: 'same-origin' });
  });
  start();
});
