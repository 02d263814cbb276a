// ecs-emulator dashboard: live views of the world (view stream) and of the calls (request-log
// stream), and the controls. No framework: keyed rows, patched only when their data changed,
// painted once per animation frame.
"use strict";

const $ = (id) => document.getElementById(id);
const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));

// ---------------------------------------------------------------------------------------------
// Access: same origin; a bearer token when the server has one (asked once, kept for this tab).
const TOKEN_KEY = "ecs-emulator-admin-token";
let tokenWaiters = null;

function authHeaders(extra) {
  const h = Object.assign({}, extra || {});
  const t = sessionStorage.getItem(TOKEN_KEY);
  if (t) h.Authorization = "Bearer " + t;
  return h;
}

function askToken() {
  if (tokenWaiters) return new Promise((r) => tokenWaiters.push(r));
  tokenWaiters = [];
  const dlg = $("token-dialog");
  $("token-btn").hidden = false;
  return new Promise((resolve) => {
    tokenWaiters.push(resolve);
    const done = () => {
      const v = $("token-input").value.trim();
      if (v) sessionStorage.setItem(TOKEN_KEY, v);
      $("token-input").value = "";
      const ws = tokenWaiters; tokenWaiters = null;
      ws.forEach((w) => w());
    };
    dlg.addEventListener("close", done, { once: true });
    if (!dlg.open) dlg.showModal();
  });
}

async function api(path, opts = {}) {
  for (let attempt = 0; attempt < 3; attempt++) {
    const headers = authHeaders(opts.body !== undefined ? { "Content-Type": "application/json" } : {});
    const res = await fetch(path, { method: opts.method || "GET", headers, body: opts.body, cache: "no-store" });
    if (res.status === 401) { sessionStorage.removeItem(TOKEN_KEY); await askToken(); continue; }
    return res;
  }
  throw new Error("the admin token was refused");
}

async function apiJson(path, opts) {
  const res = await api(path, opts);
  let body = null;
  try { body = await res.json(); } catch (_) { body = null; }
  if (!res.ok) throw new Error((body && body.error) || ("HTTP " + res.status));
  return body;
}

// Server-sent events read with fetch, so the request can carry the token (EventSource cannot).
async function follow(path, onEvent, onState) {
  let backoff = 250;
  for (;;) {
    try {
      const res = await fetch(path, { headers: authHeaders({ Accept: "text/event-stream" }), cache: "no-store" });
      if (res.status === 401) { sessionStorage.removeItem(TOKEN_KEY); await askToken(); continue; }
      if (!res.ok || !res.body) throw new Error("HTTP " + res.status);
      onState(true);
      backoff = 250;
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buf = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += value;
        let cut;
        while ((cut = buf.indexOf("\n\n")) >= 0) {
          const block = buf.slice(0, cut); buf = buf.slice(cut + 2);
          let event = "message"; const data = [];
          for (const line of block.split("\n")) {
            if (line.startsWith("event:")) event = line.slice(6).trim();
            else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
          }
          if (data.length) onEvent(event, data.join("\n"));
        }
      }
    } catch (_) { /* reconnect below */ }
    onState(false);
    await new Promise((r) => setTimeout(r, backoff));
    backoff = Math.min(backoff * 2, 5000);
  }
}

// ---------------------------------------------------------------------------------------------
// The world as last seen: rows by kind and key ("account/id"), the summary, the clock.
const world = { instance: new Map(), disk: new Map(), pair: new Map(), group: new Map() };
let summary = null;
let clock = null; // { now_ms, wall_ms, mode, at: Date.now() when received }
const dirty = new Set();
let frame = 0;
let firstPainted = false;

function schedule(what) {
  dirty.add(what);
  if (!frame) frame = requestAnimationFrame(paint);
}

function applyView(d) {
  if (d.full) for (const m of Object.values(world)) m.clear();
  if (d.clock) { clock = Object.assign({ at: Date.now() }, d.clock); schedule("clock"); }
  if (d.summary) { summary = d.summary; schedule("summary"); }
  for (const row of d.upsert) { world[row.t].set(row.account + "/" + row.id, row); schedule(row.t); }
  for (const [kind, key] of d.gone) { world[kind].delete(key); schedule(kind); }
  if (d.full) ["instance", "disk", "pair", "group", "summary"].forEach(schedule);
}

function virtualNow() {
  if (!clock) return 0;
  return clock.mode === "system" ? clock.now_ms + (Date.now() - clock.at) : clock.now_ms;
}

const fmtTime = (ms) => new Date(ms).toISOString().replace("T", " ").replace(/\.\d+Z$/, "Z");
function fmtSecs(s) {
  if (s < 120) return Math.round(s) + " s";
  if (s < 7200) return Math.round(s / 60) + " min";
  if (s < 172800) return (s / 3600).toFixed(1) + " h";
  return (s / 86400).toFixed(1) + " d";
}

// Status → colour class.
function tone(status) {
  switch (status) {
    case "normal": case "running": case "available": case "in_use": return "normal";
    case "created": case "stopped": return "idle";
    case "failovered": return "fo";
    case "invalid": case "create_failed": case "stop_failed": case "failover_failed":
    case "reprotect_failed": case "delete_failed": return "bad";
    default: return "sync";
  }
}
const badge = (status, busy) => `<span class="st st-${tone(status)}${busy ? " busy" : ""}">${esc(status)}</span>`;

// ---------------------------------------------------------------------------------------------
// Keyed lists: one element per key, rebuilt only when its row changed. `wrap(key)` gives the
// element's opening and closing tags; the first fill parses every row in one go.
class Keyed {
  constructor(container, wrap, html, lead) { this.c = container; this.wrap = wrap; this.html = html; this.els = new Map(); this.lead = lead || null; }
  build(items) {
    const tpl = document.createElement("template");
    tpl.innerHTML = items.map(([key, row]) => { const [open, close] = this.wrap(key); return open + this.html(row, key) + close; }).join("");
    const made = Array.from(tpl.content.children);
    made.forEach((el, i) => { el._row = items[i][1]; this.els.set(items[i][0], el); widths(el); });
    return tpl.content;
  }
  sync(entries) {
    if (this.els.size === 0) {
      if (entries.length) this.c.insertBefore(this.build(entries), this.lead ? this.lead.nextSibling : this.c.firstChild);
      return;
    }
    const missing = entries.filter(([key]) => !this.els.has(key));
    if (missing.length) this.build(missing);
    const seen = new Set();
    let prev = this.lead;
    for (const [key, row] of entries) {
      seen.add(key);
      const el = this.els.get(key);
      if (el._row !== row) { patch(el, this.html(row, key)); el._row = row; }
      const want = prev ? prev.nextSibling : this.c.firstChild;
      if (want !== el) this.c.insertBefore(el, want);
      prev = el;
    }
    for (const [key, el] of this.els) if (!seen.has(key)) { el.remove(); this.els.delete(key); }
  }
}

// Replaces an element's content, keeping keyboard focus on the same control when it is rebuilt.
function patch(el, html) {
  const active = document.activeElement;
  const focusKey = active && el.contains(active) ? active.dataset.focus : null;
  el.innerHTML = html;
  widths(el);
  if (focusKey) { const again = el.querySelector(`[data-focus="${focusKey}"]`); if (again) again.focus(); }
}

// Bar widths go through the CSSOM: the page's policy allows no inline style attributes.
function widths(el) {
  for (const i of el.querySelectorAll("[data-w]")) i.style.width = i.dataset.w + "%";
}

const plain = (tag) => () => [`<${tag}>`, `</${tag}>`];

// ---------------------------------------------------------------------------------------------
// Tabs.
const tabs = ["overview", "compute", "replication", "calls", "controls"];
let current = "overview";
function show(name, focus) {
  current = name;
  for (const t of tabs) {
    const on = t === name;
    $("tab-" + t).setAttribute("aria-selected", on);
    $("tab-" + t).tabIndex = on ? 0 : -1;
    $("view-" + t).hidden = !on;
  }
  if (focus) $("tab-" + name).focus();
  if (location.hash !== "#" + name) history.replaceState(null, "", "#" + name);
  ["summary", "instance", "disk", "pair", "group", "calls"].forEach(schedule);
}
for (const t of tabs) {
  $("tab-" + t).addEventListener("click", () => show(t));
  $("tab-" + t).addEventListener("keydown", (e) => {
    const i = tabs.indexOf(t);
    if (e.key === "ArrowRight") show(tabs[(i + 1) % tabs.length], true);
    else if (e.key === "ArrowLeft") show(tabs[(i + tabs.length - 1) % tabs.length], true);
    else if (e.key === "Home") show(tabs[0], true);
    else if (e.key === "End") show(tabs[tabs.length - 1], true);
    else return;
    e.preventDefault();
  });
}

// ---------------------------------------------------------------------------------------------
// Painting, once per frame, only what changed and is on screen.
function paint() {
  frame = 0;
  const todo = new Set(dirty); dirty.clear();
  if (todo.has("clock") || todo.has("tick")) paintClock();
  if (todo.has("summary")) paintSummary();
  if (current === "overview" && (todo.has("summary") || todo.has("instance") || todo.has("disk") || todo.has("pair") || todo.has("group"))) paintOverview();
  if (current === "compute" && (todo.has("instance") || todo.has("disk") || todo.has("filter"))) paintCompute();
  if (current === "replication" && (todo.has("pair") || todo.has("group") || todo.has("filter"))) paintReplication();
  if (current === "replication" && todo.has("tick")) paintAges();
  if (current === "calls" && (todo.has("calls") || todo.has("filter"))) paintCalls();
  if (current === "controls" && todo.has("summary")) paintFaults($("ctl-faults"), true);
  if (!firstPainted && summary) {
    firstPainted = true;
    // Marked at the start of the next frame: this one has been painted by then.
    requestAnimationFrame(() => {
      performance.mark("dashboard-first-render");
      document.body.dataset.ready = "1";
    });
  }
}

function paintClock() {
  if (!clock) return;
  const now = fmtTime(virtualNow());
  $("clock-now").textContent = now;
  const mode = clock.mode === "manual" ? "paused" : "running";
  $("clock-mode").textContent = mode;
  $("ov-clock").textContent = now;
  $("ctl-clock").textContent = now;
  $("ov-clock-mode").textContent = clock.mode === "manual" ? "paused (manual): moves only when advanced" : "running with the wall clock (system)";
}

function fillSelect(sel, values) {
  const keep = sel.value;
  const want = ["", ...values];
  const have = Array.from(sel.options).map((o) => o.value);
  if (have.join("\n") === want.join("\n")) return;
  sel.innerHTML = want.map((v) => `<option value="${esc(v)}">${v ? esc(v) : "all"}</option>`).join("");
  sel.value = want.includes(keep) ? keep : "";
}

function paintSummary() {
  if (!summary) return;
  for (const id of ["cf-account", "rf-account", "lf-account"]) fillSelect($(id), summary.accounts);
  fillSelect($("cf-region"), summary.regions.map((r) => r.id));
}

function paintOverview() {
  if (!summary) return;
  $("ov-timing").textContent = summary.timing || "–";
  $("ov-accounts").innerHTML = summary.accounts.length
    ? summary.accounts.map((a) => `<li class="id">${esc(a)}</li>`).join("") : `<li class="muted">none yet</li>`;
  const regions = new Map();
  const add = (region, what) => { const r = regions.get(region) || {}; r[what] = (r[what] || 0) + 1; regions.set(region, r); };
  for (const r of world.instance.values()) add(r.region, "instances");
  for (const r of world.disk.values()) add(r.region, "disks");
  for (const r of world.pair.values()) { add(r.src.region, "pair ends"); add(r.dst.region, "pair ends"); }
  $("ov-regions").innerHTML = regions.size ? Array.from(regions).sort().map(([id, n]) =>
    `<li><span class="id">${esc(id)}</span> <span class="muted">${Object.entries(n).map(([k, v]) => v + " " + k).join(", ")}</span></li>`).join("")
    : `<li class="muted">none yet</li>`;
  const names = { instance: "Instances", disk: "Disks", pair: "Replica pairs", group: "Replica groups" };
  $("ov-counts").innerHTML = Object.keys(names).map((k) => {
    const c = summary.counts[k] || {};
    const total = Object.values(c).reduce((a, b) => a + b, 0);
    const parts = Object.entries(c).map(([s, n]) => `<span class="st st-${tone(s)}">${esc(s)} ${n}</span>`).join("");
    return `<div class="card" data-kind="${k}"><h3>${names[k]}: <span class="total">${total}</span></h3><p>${parts || '<span class="muted">none</span>'}</p></div>`;
  }).join("");
  paintFaults($("ov-faults"), false);
}

function describeRule(r) {
  const when = ["action", "version", "account", "region", "resource_id"].filter((k) => r[k]).map((k) => `${k}=${esc(r[k])}`).join(", ") || "every call";
  const what = [];
  if (r.code) what.push(`answer ${esc(r.code)} (${esc(r.http_status)})`);
  if (r.latency_ms) what.push(`delay ${esc(r.latency_ms)} ms`);
  if (r.drop_connection) what.push("drop the connection");
  const limits = [];
  if (r.count != null) limits.push(`at most ${esc(r.count)} time(s)`);
  if (r.probability != null) limits.push(`probability ${esc(r.probability)}`);
  return { when, what: what.join(", ") || "nothing", limits: limits.join(", ") };
}

function paintFaults(el, removable) {
  if (!summary) return;
  const rules = summary.faults || [];
  if (!rules.length) { el.innerHTML = `<p class="muted">No fault rules: every call reaches the world.</p>`; return; }
  el.innerHTML = `<table class="grid" aria-label="Fault rules"><thead><tr><th scope="col">Rule</th><th scope="col">Matches</th><th scope="col">Effect</th><th scope="col">Limits</th><th scope="col">Fired</th>${removable ? '<th scope="col"><span class="sr">Remove</span></th>' : ""}</tr></thead><tbody>` +
    rules.map((r) => {
      const d = describeRule(r);
      return `<tr><td class="id">${esc(r.id)}</td><td>${d.when}</td><td>${d.what}</td><td>${d.limits || "–"}</td><td>${esc(r.fired)}</td>` +
        (removable ? `<td><button type="button" data-remove-fault="${esc(r.id)}" aria-label="Remove fault rule ${esc(r.id)}">Remove</button></td>` : "") + `</tr>`;
    }).join("") + `</tbody></table>`;
}

// ---------------------------------------------------------------------------------------------
// Compute.
// An instance row shows its disks: its item is the instance with the ids of its disks, the same
// object while neither changed (so the row is not rebuilt).
const instItems = new Map();
function instItem(key, r, disks) {
  const ids = disks ? disks.join(" ") : "";
  const had = instItems.get(key);
  if (had && had.r === r && had.ids === ids) return had;
  const item = { r, ids };
  instItems.set(key, item);
  return item;
}
const instList = new Keyed($("inst-body"), plain("tr"), ({ r, ids }) =>
  `<td><span class="id">${esc(r.id)}</span><span class="sub">${esc(r.name)}</span></td><td class="id">${esc(r.account)}</td>` +
  `<td>${esc(r.region)}<span class="sub">${esc(r.zone)}</span></td><td>${esc(r.type)}</td><td>${badge(r.status, r.busy)}</td>` +
  `<td class="id">${ids ? ids.split(" ").map(esc).join("<br>") : "–"}</td>`);
const diskList = new Keyed($("disk-body"), plain("tr"), (r) =>
  `<td><span class="id">${esc(r.id)}</span><span class="sub">${esc(r.name)}</span></td><td class="id">${esc(r.account)}</td>` +
  `<td>${esc(r.region)}<span class="sub">${esc(r.zone)}</span></td><td>${esc(r.category)}<span class="sub">${esc(r.size)} GiB</span></td>` +
  `<td>${badge(r.status, r.busy)}</td><td class="id">${r.instance ? esc(r.instance) + `<span class="sub">${esc(r.device)}</span>` : "–"}</td>` +
  `<td class="id">${r.pair ? esc(r.pair) : "–"}</td>`);

function matches(row, text, fields) {
  if (!text) return true;
  return fields.some((f) => String(f(row) ?? "").toLowerCase().includes(text));
}

function paintCompute() {
  const acct = $("cf-account").value, region = $("cf-region").value, text = $("cf-text").value.trim().toLowerCase();
  const keep = (r) => (!acct || r.account === acct) && (!region || r.region === region);
  const attached = new Map();
  for (const d of world.disk.values()) {
    if (!d.instance) continue;
    const k = d.account + "/" + d.instance;
    if (!attached.has(k)) attached.set(k, []);
    attached.get(k).push(d.id);
  }
  const inst = Array.from(world.instance).filter(([, r]) => keep(r) && matches(r, text, [(x) => x.id, (x) => x.name, (x) => x.status, (x) => x.zone]))
    .map(([k, r]) => [k, instItem(k, r, attached.get(k))]);
  const disks = Array.from(world.disk).filter(([, r]) => keep(r) && matches(r, text, [(x) => x.id, (x) => x.name, (x) => x.status, (x) => x.instance, (x) => x.zone]));
  instList.sync(inst);
  if (instItems.size > world.instance.size) for (const k of instItems.keys()) if (!world.instance.has(k)) instItems.delete(k);
  diskList.sync(disks);
  $("inst-count").textContent = `(${inst.length} of ${world.instance.size})`;
  $("disk-count").textContent = `(${disks.length} of ${world.disk.size})`;
}

// ---------------------------------------------------------------------------------------------
// Replication: the map, the groups and the pairs.
const ORDER = { bad: 4, fo: 3, sync: 2, idle: 1, normal: 0 };

function paintMap() {
  const zones = new Map(); // region -> Set(zone)
  const links = new Map(); // "srcRegion|srcZone>dstRegion|dstZone" -> {n, tone}
  const acct = $("rf-account").value;
  for (const p of world.pair.values()) {
    if (acct && p.account !== acct) continue;
    for (const e of [p.src, p.dst]) { if (!zones.has(e.region)) zones.set(e.region, new Set()); zones.get(e.region).add(e.zone); }
    const k = `${p.src.region}|${p.src.zone}>${p.dst.region}|${p.dst.zone}`;
    const l = links.get(k) || { n: 0, tone: "normal" };
    l.n++;
    const t = tone(p.sync.status);
    if (ORDER[t] > ORDER[l.tone]) l.tone = t;
    links.set(k, l);
  }
  const map = $("map");
  if (!zones.size) { map.innerHTML = `<p class="muted empty">No replica pairs yet.</p>`; map.setAttribute("aria-label", "Replication map: no pairs"); return; }
  const regions = Array.from(zones.keys()).sort();
  const colW = 220, gap = 120, zoneH = 34, top = 34;
  const pos = new Map();
  let maxH = 0;
  let svg = "";
  regions.forEach((r, i) => {
    const x = 20 + i * (colW + gap);
    const zs = Array.from(zones.get(r)).sort();
    const h = top + zs.length * (zoneH + 8) + 6;
    maxH = Math.max(maxH, h);
    svg += `<rect class="region" x="${x}" y="10" width="${colW}" height="${h}" rx="8"/><text x="${x + 10}" y="30" font-weight="600">${esc(r)}</text>`;
    zs.forEach((z, j) => {
      const y = 10 + top + j * (zoneH + 8);
      svg += `<rect class="zone" x="${x + 10}" y="${y}" width="${colW - 20}" height="${zoneH}" rx="6"/><text x="${x + 20}" y="${y + 21}">${esc(z)}</text>`;
      pos.set(r + "|" + z, { x, y: y + zoneH / 2 });
    });
  });
  const aria = [];
  let li = 0;
  for (const [k, l] of links) {
    const [a, b] = k.split(">");
    const p = pos.get(a), q = pos.get(b);
    const [ar, az] = a.split("|"), [br, bz] = b.split("|");
    aria.push(`${l.n} from ${az} to ${bz} (${l.tone})`);
    let d;
    const off = (li++ % 3) * 6;
    if (ar === br) { // same region: a loop on the side
      const x = p.x + colW - 10;
      d = `M${x} ${p.y} C${x + 60 + off} ${p.y} ${x + 60 + off} ${q.y} ${x} ${q.y}`;
    } else {
      const fwd = q.x > p.x;
      const x1 = fwd ? p.x + colW - 10 : p.x + 10, x2 = fwd ? q.x + 10 : q.x + colW - 10;
      const mid = (x1 + x2) / 2;
      d = `M${x1} ${p.y + off} C${mid} ${p.y + off} ${mid} ${q.y + off} ${x2} ${q.y + off}`;
    }
    svg += `<path class="link l-${l.tone}" d="${d}" marker-end="url(#m-${l.tone})"><title>${l.n} pair(s) ${esc(a)} → ${esc(b)}</title></path>`;
    const lx = ar === br ? p.x + colW + 40 : (p.x + q.x + colW) / 2, ly = (p.y + q.y) / 2 - 6 + off;
    svg += `<text class="muted" x="${lx}" y="${ly}" text-anchor="middle">${l.n}</text>`;
  }
  const markers = Object.keys(ORDER).map((t) => `<marker id="m-${t}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0 0L10 5L0 10z" class="head h-${t}"/></marker>`).join("");
  const w = 40 + regions.length * colW + (regions.length - 1) * gap + 80;
  map.innerHTML = `<svg width="${w}" height="${maxH + 20}" viewBox="0 0 ${w} ${maxH + 20}" aria-hidden="true"><defs>${markers}</defs>${svg}</svg>`;
  map.setAttribute("aria-label", "Replication map: " + aria.join("; "));
}

function ageMeter(r, now) {
  if (/syncing$/.test(r.sync.status)) {
    return `<span class="sub">copy ${r.sync.progress} %</span><div class="meter copy" role="progressbar" aria-label="Copy progress" aria-valuenow="${r.sync.progress}" aria-valuemin="0" aria-valuemax="100"><i data-w="${r.sync.progress}"></i></div>`;
  }
  if (r.sync.rp == null) return `<span class="sub">no recovery point yet</span>`;
  const age = Math.max(0, (now - r.sync.rp) / 1000);
  const ratio = r.rpo > 0 ? age / r.rpo : 0;
  const cls = ratio <= 1 ? "" : ratio <= 2 ? "warn" : "late";
  return `<span class="sub age">recovery point ${fmtSecs(age)} ago</span><div class="meter ${cls}" role="meter" aria-label="Recovery point age against RPO" aria-valuenow="${Math.round(age)}" aria-valuemin="0" aria-valuemax="${r.rpo}"><i data-w="${Math.min(100, ratio * 100).toFixed(1)}"></i></div>`;
}

function actionButtons(kind, r) {
  const name = `${kind} ${r.id}`;
  const ops = [["start", "Start"], ["stop", "Stop"], ["failover", "Fail over"], ["reprotect", "Reprotect"], ["delete", "Delete"]];
  return `<div class="acts">` + ops.map(([op, label]) =>
    `<button type="button" data-act="${op}" data-kind="${kind}" data-account="${esc(r.account)}" data-id="${esc(r.id)}" data-focus="${op}" aria-label="${label} ${esc(name)}">${label}</button>`).join("") + `</div>`;
}

// Left is the primary site, right the standby; the arrow follows the data (source → destination).
function sides(r) {
  const atPrimary = (e) => e.region === r.primary.region && e.zone === r.primary.zone;
  const fwd = atPrimary(r.src) || !atPrimary(r.dst);
  const left = fwd ? r.src : r.dst, right = fwd ? r.dst : r.src;
  const serving = r.sync.status === "failovered" ? r.dst : r.src;
  return { fwd, left, right, serving };
}

function site(e, serving, label) {
  const on = serving === e;
  return `<div class="site${on ? " serving" : ""}" aria-label="${label}: ${esc(e.region)} ${esc(e.zone)} ${esc(e.disk || "")}${on ? ", serving" : ""}">` +
    `<span class="id">${esc(e.disk || e.zone)}</span>${on ? ' <span class="serving-tag">serving</span>' : ""}<span class="sub">${esc(e.region)} · ${esc(e.zone)}</span></div>`;
}

function replicaHtml(kind, r) {
  const s = sides(r);
  const t = tone(r.sync.status);
  const now = virtualNow();
  const member = kind === "pair" && r.group ? `<span class="sub">in group <span class="id">${esc(r.group)}</span></span>` : "";
  const members = kind === "group" ? `<span class="sub group-members">${r.pairs.length} pair(s)${r.pairs.length ? ": " + r.pairs.map(esc).join(", ") : ""}</span>` : "";
  return `<div><span class="id">${esc(r.id)}</span> ${badge(r.sync.status)}<span class="sub">${esc(r.name) || "&nbsp;"}</span>${member}${members}</div>` +
    site(s.left, s.serving, "primary site") +
    `<div class="arrow ${s.fwd ? "fwd" : "rev"} a-${t}" data-direction="${s.fwd ? "forward" : "reverse"}" role="img" aria-label="${s.fwd ? "replicates from primary to standby" : "replicates from standby back to primary"}, ${esc(r.sync.status)}"><span class="lbl">${esc(r.mode)}</span></div>` +
    site(s.right, s.serving, "standby site") +
    `<div class="rpo" data-key="${esc(r.account + "/" + r.id)}" data-kind="${kind}"><span>RPO ${fmtSecs(r.rpo)}</span>${ageMeter(r, now)}</div>` +
    actionButtons(kind, r);
}

const replicaWrap = (kind) => (key) => [`<div class="pair${kind === "group" ? " group" : ""}" data-key="${esc(key)}" role="group" aria-label="${kind} ${esc(key.split("/")[1])}">`, "</div>"];
const pairList = new Keyed($("pairs"), replicaWrap("pair"), (r) => replicaHtml("pair", r));
const groupList = new Keyed($("groups"), replicaWrap("group"), (r) => replicaHtml("group", r));

const FIRST_ROWS = 30;

function paintReplication() {
  const acct = $("rf-account").value, text = $("rf-text").value.trim().toLowerCase();
  const fields = [(x) => x.id, (x) => x.name, (x) => x.sync.status, (x) => x.src.region, (x) => x.dst.region, (x) => x.src.disk, (x) => x.dst.disk];
  const keep = ([, r]) => (!acct || r.account === acct) && matches(r, text, fields);
  const pairs = Array.from(world.pair).filter(keep);
  const groups = Array.from(world.group).filter(keep);
  // A long list shows its first screenful at once and the rest in the next frame.
  if (pairList.els.size === 0 && pairs.length > FIRST_ROWS) {
    pairList.sync(pairs.slice(0, FIRST_ROWS));
    schedule("pair");
  } else {
    pairList.sync(pairs);
  }
  groupList.sync(groups);
  $("pair-count").textContent = `(${pairs.length} of ${world.pair.size})`;
  $("group-count").textContent = `(${groups.length} of ${world.group.size})`;
  paintMap();
}

// Every second the recovery-point ages move on (the clock runs): only their text and bars change.
function paintAges() {
  const now = virtualNow();
  for (const list of [pairList, groupList]) {
    for (const el of list.els.values()) {
      const r = el._row;
      if (!r || r.sync.rp == null || /syncing$/.test(r.sync.status)) continue;
      const age = Math.max(0, (now - r.sync.rp) / 1000);
      const ratio = r.rpo > 0 ? age / r.rpo : 0;
      const text = el.querySelector(".age"), meter = el.querySelector(".meter");
      if (!text || !meter) continue;
      const label = `recovery point ${fmtSecs(age)} ago`;
      if (text.textContent !== label) text.textContent = label;
      meter.className = "meter" + (ratio <= 1 ? "" : ratio <= 2 ? " warn" : " late");
      meter.setAttribute("aria-valuenow", Math.round(age));
      meter.firstElementChild.style.width = Math.min(100, ratio * 100).toFixed(1) + "%";
    }
  }
}
setInterval(() => schedule("tick"), 1000);

async function act(btn) {
  const { act: op, kind, account, id } = btn.dataset;
  if (op === "delete" && !confirm(`Delete ${kind} ${id}?`)) return;
  btn.disabled = true;
  try {
    const body = await apiJson("/_emulator/dashboard/act", { method: "POST", body: JSON.stringify({ account, kind, id, op }) });
    if (body.code) toast(`${body.action} ${id}: ${body.status} ${body.code}: ${body.message}`);
    else toast(`${body.action} ${id}: accepted`, true);
  } catch (e) {
    toast(`${op} ${kind} ${id}: ${e.message}`);
  } finally { btn.disabled = false; }
}
for (const c of [$("pairs"), $("groups")]) c.addEventListener("click", (e) => { const b = e.target.closest("button[data-act]"); if (b) act(b); });

// ---------------------------------------------------------------------------------------------
// Calls: the request log, newest first.
const MAX_CALLS = 500;
const calls = []; // newest last
const actionsSeen = new Set();
let open = new Set();

function addCall(entry) {
  calls.push(entry);
  if (calls.length > MAX_CALLS) calls.splice(0, calls.length - MAX_CALLS);
  if (!actionsSeen.has(entry.action) && actionsSeen.size < 500) {
    actionsSeen.add(entry.action);
    const o = document.createElement("option"); o.value = entry.action; $("lf-actions").appendChild(o);
  }
  if (!$("lf-pause").checked) schedule("calls");
}

const callList = new Keyed($("calls-body"), plain("tbody"), (e) => {
  const ok = e.status < 400;
  const opened = open.has(e.seq);
  const tags = (e.faulted ? `<span class="tag fault" title="a fault rule answered this call">faulted</span>` : "");
  const row = `<tr class="entry${e.faulted ? " faulted" : ""}" data-seq="${e.seq}" tabindex="0" role="button" aria-expanded="${opened}" aria-label="${esc(e.action)} ${e.status}${e.faulted ? " faulted" : ""}">` +
    `<td>${esc(new Date(e.time).toISOString().slice(11, 23))}</td><td><span class="id">${esc(e.action)}</span>${tags}</td>` +
    `<td class="id">${esc(e.account)}</td><td>${esc(e.region || "–")}</td>` +
    `<td><span class="st st-${ok ? "normal" : "bad"}">${e.status}${e.code ? " " + esc(e.code) : ""}</span></td>` +
    `<td>${e.latency_ms.toFixed(1)} ms</td><td>${e.source === "dashboard" ? '<span class="tag dash">dashboard</span>' : esc(e.dialect)}</td></tr>`;
  if (!opened) return row;
  return row + `<tr class="detail"><td colspan="7"><dl>` +
    `<dt>Request id</dt><dd class="id">${esc(e.request_id)}</dd><dt>Response</dt><dd>${e.status} ${esc(e.code || "OK")} in ${e.latency_ms.toFixed(2)} ms${e.faulted ? " (answered by a fault rule)" : ""}</dd>` +
    `<dt>Version</dt><dd>${esc(e.product)} ${esc(e.version)}</dd><dt>Resources</dt><dd class="id">${(e.resource_ids || []).map(esc).join(", ") || "–"}</dd>` +
    `<dt>Parameters (secrets removed)</dt><dd><pre>${esc(JSON.stringify(e.params, null, 2))}</pre></dd></dl></td></tr>`;
}, $("calls-body").tHead);

function paintCalls() {
  const action = $("lf-action").value.trim().toLowerCase(), status = $("lf-status").value, acct = $("lf-account").value;
  const shown = [];
  for (let i = calls.length - 1; i >= 0 && shown.length < 300; i--) {
    const e = calls[i];
    if (action && !e.action.toLowerCase().includes(action)) continue;
    if (acct && e.account !== acct) continue;
    if (status === "ok" && e.status >= 400) continue;
    if (status === "err" && e.status < 400) continue;
    if (status === "faulted" && !e.faulted) continue;
    shown.push([String(e.seq), e]);
  }
  callList.sync(shown);
  $("calls-count").textContent = shown.length;
}

function toggleCall(tr) {
  const seq = Number(tr.dataset.seq);
  if (open.has(seq)) open.delete(seq); else open.add(seq);
  const el = callList.els.get(String(seq));
  if (el) { el._row = null; }
  paintCalls();
  const again = $("calls-body").querySelector(`tr.entry[data-seq="${seq}"]`);
  if (again) again.focus();
}
$("calls-body").addEventListener("click", (e) => { const tr = e.target.closest("tr.entry"); if (tr) toggleCall(tr); });
$("calls-body").addEventListener("keydown", (e) => {
  const tr = e.target.closest("tr.entry");
  if (tr && (e.key === "Enter" || e.key === " ")) { e.preventDefault(); toggleCall(tr); }
});

// ---------------------------------------------------------------------------------------------
// Controls.
let toastTimer = 0;
function toast(msg, ok) {
  const t = $("toast");
  t.textContent = msg; t.className = "toast" + (ok ? " ok" : ""); t.hidden = false;
  clearTimeout(toastTimer); toastTimer = setTimeout(() => { t.hidden = true; }, ok ? 2500 : 6000);
}

async function clockChange(body) {
  try {
    const c = await apiJson("/_emulator/clock", { method: "POST", body: JSON.stringify(body) });
    clock = { now_ms: c.now_ms, wall_ms: Date.now(), mode: c.mode, at: Date.now() };
    schedule("clock");
  } catch (e) { toast("clock: " + e.message); }
}
document.querySelectorAll("[data-advance]").forEach((b) => b.addEventListener("click", () => clockChange({ advance_seconds: Number(b.dataset.advance) })));
$("advance-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const s = Number($("advance-secs").value);
  if (!(s >= 0)) { toast("enter a number of seconds, 0 or more"); return; }
  clockChange({ advance_seconds: s });
});
$("clock-pause").addEventListener("click", () => clockChange({ mode: "manual" }));
$("clock-resume").addEventListener("click", () => clockChange({ mode: "system" }));

$("reset-btn").addEventListener("click", async () => {
  if (!confirm("Reset every account to the seeded state?")) return;
  try { await apiJson("/_emulator/reset", { method: "POST", body: "{}" }); toast("reset done", true); } catch (e) { toast("reset: " + e.message); }
});

$("export-btn").addEventListener("click", async () => {
  try {
    const res = await api("/_emulator/state");
    if (!res.ok) throw new Error("HTTP " + res.status);
    const blob = await res.blob();
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = "ecs-emulator-state.json";
    document.body.appendChild(a); a.click(); a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  } catch (e) { toast("export: " + e.message); }
});
$("import-file").addEventListener("change", async (e) => {
  const f = e.target.files[0];
  if (!f) return;
  try {
    await apiJson("/_emulator/state", { method: "PUT", body: await f.text() });
    toast("state imported from " + f.name, true);
  } catch (err) { toast("import: " + err.message); }
  e.target.value = "";
});

$("fault-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const rule = {};
  for (const el of e.target.elements) {
    if (!el.name) continue;
    if (el.type === "checkbox") { if (el.checked) rule[el.name] = true; continue; }
    const v = el.value.trim();
    if (!v) continue;
    rule[el.name] = el.type === "number" ? Number(v) : v;
  }
  try {
    const r = await apiJson("/_emulator/faults", { method: "POST", body: JSON.stringify(rule) });
    toast("fault rule " + r.id + " added", true);
    e.target.reset();
  } catch (err) { toast("fault rule: " + err.message); }
});
$("ctl-faults").addEventListener("click", async (e) => {
  const b = e.target.closest("button[data-remove-fault]");
  if (!b) return;
  try { await apiJson("/_emulator/faults/" + encodeURIComponent(b.dataset.removeFault), { method: "DELETE" }); } catch (err) { toast("remove: " + err.message); }
});
$("faults-clear").addEventListener("click", async () => {
  try { await apiJson("/_emulator/faults", { method: "DELETE" }); } catch (err) { toast("remove: " + err.message); }
});

for (const id of ["cf-account", "cf-region", "cf-text", "rf-account", "rf-text", "lf-action", "lf-status", "lf-account"]) {
  $(id).addEventListener("input", () => schedule("filter"));
}
$("lf-pause").addEventListener("change", () => schedule("calls"));
for (const f of ["compute-filter", "rep-filter", "calls-filter"]) $(f).addEventListener("submit", (e) => e.preventDefault());
$("token-btn").addEventListener("click", () => askToken().then(() => location.reload()));

// ---------------------------------------------------------------------------------------------
// Start: the view stream, and the request log (its recent past, then its stream).
function connState(name) {
  const st = { view: false, calls: false };
  return (which, up) => {
    st[which] = up;
    const c = $("conn");
    const all = st.view && st.calls;
    c.textContent = all ? "live" : st.view || st.calls ? "partly live" : "reconnecting…";
    c.className = "conn " + (all ? "live" : "down");
  };
}
const setConn = connState();

let viewSeen = false;
follow("/_emulator/view/stream", (ev, data) => {
  if (ev !== "view") return;
  if (!viewSeen) { viewSeen = true; performance.mark("dashboard-first-view"); }
  const d = JSON.parse(data);
  applyView(d);
}, (up) => setConn("view", up));

(function calls0() {
  let after = 0; // the newest call shown
  let held = null; // stream events kept while the log is read after a (re)connect
  const take = (e) => { if (e.seq > after) { addCall(e); after = e.seq; } };
  follow("/_emulator/requests/stream", (ev, data) => {
    if (ev !== "request") return;
    const e = JSON.parse(data);
    if (held) held.push(e); else take(e);
  }, async (up) => {
    setConn("calls", up);
    if (!up) return;
    // The stream is subscribed now: read what the log holds (calls from before, or from while
    // the stream was down), then what the stream brought meanwhile, so no call falls between.
    held = [];
    try {
      const r = await apiJson("/_emulator/requests?limit=300");
      for (const e of r.requests) take(e);
    } catch (_) { /* the stream goes on; only the backlog is missing */ }
    const kept = held;
    held = null;
    for (const e of kept) take(e);
  });
})();

const start = location.hash.slice(1);
show(tabs.includes(start) ? start : "overview");
