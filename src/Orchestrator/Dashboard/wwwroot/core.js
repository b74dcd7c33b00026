// Pipeline dashboard, shared helpers: formatting, the signed-in session, JSON requests and the live stream.
// Plain scripts loaded in order by index.html (core, chart, jobs, job, models, app); no assets from the internet.
"use strict";

const app = document.getElementById("app");
const live = document.getElementById("live");
let stream = null;
let refreshTimer = null;

const esc = (v) => String(v ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
const num = (v, digits = 4) => (v === null || v === undefined ? "–" : Number(v).toPrecision(digits));
const short = (id) => String(id).slice(0, 8);
const badge = (text) => `<span class="badge ${esc(text)}">${esc(text)}</span>`;

// The metrics a model can carry, in the order tables show them; lower is better except r2, accuracy and macroF1.
const METRICS = ["mse", "rmse", "mae", "r2", "accuracy", "macroF1", "logLoss"];
const HIGHER_IS_BETTER = new Set(["r2", "accuracy", "macroF1"]);
const has = (m, n) => m && m[n] !== null && m[n] !== undefined;
// The task as the API writes it ("classification"; older answers "Classification" or the enum's number 2).
const isClassification = (spec) => String(spec.task).toLowerCase() === "classification" || spec.task === 2;

function age(iso) {
  const s = Math.max(0, (Date.now() - new Date(iso).getTime()) / 1000);
  if (s < 60) return `${Math.floor(s)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${Math.floor(s % 60)}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86400)}d`;
}

function metrics(m) {
  if (!m) return "–";
  return METRICS.filter((n) => has(m, n)).map((n) => `${n} ${num(m[n])}`).join(" · ") || "–";
}

// Who is signed in, and the antiforgery token state-changing requests carry (a session cookie alone is not enough).
let session = null;

function signIn() {
  location.assign(`/ui/login?returnUrl=${encodeURIComponent(location.pathname)}`);
}

async function loadSession() {
  const response = await fetch("/ui/session");
  if (response.status === 401 || response.status === 403) { signIn(); return false; }
  session = await response.json();
  const user = document.getElementById("user");
  if (user && session.authentication !== "None") {
    user.innerHTML = `${esc(session.name)} <span class="muted">(${esc(session.roles.join(", "))})</span> <button id="sign-out">Sign out</button>`;
    document.getElementById("sign-out").onclick = async () => { await getJson("/ui/logout", { method: "POST" }); signIn(); };
  }
  return true;
}

async function getJson(url, options = {}) {
  const method = (options.method || "GET").toUpperCase();
  if (method !== "GET" && session && session.csrfToken) options.headers = { ...(options.headers || {}), "X-CSRF-TOKEN": session.csrfToken };
  const response = await fetch(url, options);
  if (response.status === 401) { signIn(); throw new Error("signed out"); }
  const text = await response.text();
  let body = null;
  try { body = text ? JSON.parse(text) : null; } catch { body = null; }
  if (!response.ok) {
    const why = body && (body.detail || body.title) ? `${body.title}: ${body.detail ?? ""}` : `${response.status} ${response.statusText}`;
    const error = new Error(why);
    error.status = response.status;
    throw error;
  }
  return body;
}

// A job just accepted is not in the orchestrator's records for a moment, and its page would be answered 404 (which the
// browser logs as an error) until it is: open the page once the job list, which never answers 404, shows the job.
async function openJob(id) {
  for (let attempt = 0; attempt < 100; attempt++) {
    const jobs = await getJson("/api/jobs?limit=50").catch(() => []);
    if (jobs.some((job) => job.jobId === id)) break;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  location.assign(`/ui/jobs/${id}`);
}

// Live updates come in two phases. For the first LIVE_POLL_MS after the load event the page polls with short
// requests every POLL_MS; only then does it open the event stream. An event stream never finishes, so a headless
// browser that waits for the network to go idle (Playwright's networkidle) or runs a virtual time budget
// (`chromium --headless --virtual-time-budget=N --screenshot`: virtual time stops while a request is pending) would
// otherwise wait for ever; short polls let both settle. `?live=off` turns live updates off altogether.
const POLL_MS = 2000;
const LIVE_POLL_MS = 20000;
const pageLoaded = document.readyState === "complete"
  ? Promise.resolve()
  : new Promise((resolve) => window.addEventListener("load", () => resolve(), { once: true }));
const liveWanted = new URLSearchParams(location.search).get("live") !== "off";
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// One source of updates at a time: `onJob` gets every changed job summary from the stream; `refresh` reloads the page's
// data (while polling, and once when the stream opens, for what changed in between).
let listenTicket = 0;
async function listen(url, onJob, refresh) {
  const ticket = ++listenTicket;
  if (stream) stream.close();
  stream = null;
  if (!liveWanted) { live.textContent = "live updates off"; return; }
  await pageLoaded;
  live.textContent = "live"; live.classList.add("on");
  live.title = `refreshed every ${POLL_MS / 1000} s, then streamed`;
  for (let waited = 0; waited < LIVE_POLL_MS; waited += POLL_MS) {
    await sleep(POLL_MS);
    if (ticket !== listenTicket) return; // a later page asked for its own updates meanwhile
    try { await refresh(); } catch { live.textContent = "reconnecting"; live.classList.remove("on"); }
  }
  if (ticket !== listenTicket) return;
  stream = new EventSource(url);
  stream.onopen = () => { live.textContent = "live"; live.classList.add("on"); live.title = "streamed"; refresh().catch(() => {}); };
  stream.onerror = () => { live.textContent = "reconnecting"; live.classList.remove("on"); };
  stream.addEventListener("job", (e) => onJob(JSON.parse(e.data)));
}

// "key=value key=value" (or commas) -> { key: "value" }: the settings a retrain changes.
function parseSettings(text) {
  const settings = {};
  for (const pair of String(text || "").split(/[\s,]+/).filter(Boolean)) {
    const at = pair.indexOf("=");
    if (at <= 0) throw new Error(`"${pair}" is not key=value (for example seed=7)`);
    settings[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return settings;
}
