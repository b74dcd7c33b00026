// Pipeline dashboard: jobs list, job page, models page. Plain JavaScript, no assets from the internet.
// Data comes from /api (jobs, and models when Deploy is hosted alongside); live updates from /api/events.
"use strict";

const app = document.getElementById("app");
const live = document.getElementById("live");
let stream = null;
let refreshTimer = null;

const esc = (v) => String(v ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
const num = (v, digits = 4) => (v === null || v === undefined ? "–" : Number(v).toPrecision(digits));
const short = (id) => String(id).slice(0, 8);
const badge = (text) => `<span class="badge ${esc(text)}">${esc(text)}</span>`;

function age(iso) {
  const s = Math.max(0, (Date.now() - new Date(iso).getTime()) / 1000);
  if (s < 60) return `${Math.floor(s)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${Math.floor(s % 60)}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86400)}d`;
}

function metrics(m) {
  if (!m) return "–";
  const names = ["mse", "rmse", "mae", "r2", "accuracy", "macroF1", "logLoss"];
  return names.filter((n) => m[n] !== null && m[n] !== undefined).map((n) => `${n} ${num(m[n])}`).join(" · ") || "–";
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
  const body = text ? JSON.parse(text) : null;
  if (!response.ok) {
    const why = body && (body.detail || body.title) ? `${body.title}: ${body.detail ?? ""}` : `${response.status} ${response.statusText}`;
    throw new Error(why);
  }
  return body;
}

// One EventSource at a time; `onJob` gets every changed job summary.
function listen(url, onJob) {
  if (stream) stream.close();
  stream = new EventSource(url);
  stream.onopen = () => { live.textContent = "live"; live.classList.add("on"); };
  stream.onerror = () => { live.textContent = "reconnecting"; live.classList.remove("on"); };
  stream.addEventListener("job", (e) => onJob(JSON.parse(e.data)));
}

// ---------- jobs list ----------
const jobs = new Map();

function jobRow(j) {
  const pct = Math.round(j.progress * 100);
  return `<tr data-job="${esc(j.jobId)}">
    <td><a href="/ui/jobs/${esc(j.jobId)}"><code>${esc(short(j.jobId))}</code></a></td>
    <td>${esc(j.modelName)}</td>
    <td class="state">${badge(j.state)}</td>
    <td>${esc(j.stage)}</td>
    <td><span class="bar"><span style="width:${pct}%"></span></span> <span class="muted">${pct}%</span></td>
    <td class="num">${j.round}/${j.rounds}</td>
    <td class="num">${num(j.validationLoss)}</td>
    <td class="num age" data-since="${esc(j.submittedAt)}">${age(j.submittedAt)}</td>
  </tr>`;
}

function renderJobs() {
  const rows = [...jobs.values()].sort((a, b) => new Date(b.submittedAt) - new Date(a.submittedAt));
  app.innerHTML = `<h1>Jobs</h1><div class="card">${rows.length === 0
    ? `<p class="muted" id="no-jobs">No jobs yet. Drop a file into the ingest bucket or run <code>pipeline submit FILE --target COLUMN</code>.</p>`
    : `<table id="jobs"><thead><tr><th>Job</th><th>Model</th><th>State</th><th>Stage</th><th>Progress</th><th class="num">Round</th><th class="num">Val. loss</th><th class="num">Age</th></tr></thead>
       <tbody>${rows.map(jobRow).join("")}</tbody></table>`}</div>`;
}

async function showJobs() {
  const list = await getJson("/api/jobs?limit=200");
  jobs.clear();
  list.forEach((j) => jobs.set(j.jobId, j));
  renderJobs();
  listen("/api/events", (j) => { jobs.set(j.jobId, j); renderJobs(); });
  refreshTimer = setInterval(() => document.querySelectorAll("td.age").forEach((td) => { td.textContent = age(td.dataset.since); }), 1000);
}

// ---------- job page ----------
function lossChart(rounds, total) {
  const W = 760, H = 280, L = 56, R = 16, T = 16, B = 36;
  if (rounds.length === 0) return `<p class="muted" id="chart-empty">The chart fills in as rounds are merged.</p>`;
  const values = rounds.flatMap((r) => [r.trainLoss, r.validationLoss, ...r.shards.map((s) => s.loss)]).filter(Number.isFinite);
  let lo = Math.min(...values), hi = Math.max(...values);
  if (hi - lo < 1e-12) { hi += 0.5; lo -= 0.5; }
  const maxRound = Math.max(total, rounds[rounds.length - 1].round, 2);
  const x = (r) => L + ((r - 1) / (maxRound - 1)) * (W - L - R);
  const y = (v) => T + (1 - (v - lo) / (hi - lo)) * (H - T - B);
  const path = (key) => rounds.map((r, i) => `${i ? "L" : "M"}${x(r.round).toFixed(1)},${y(r[key]).toFixed(1)}`).join(" ");
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => lo + f * (hi - lo));
  const step = Math.max(1, Math.ceil(maxRound / 12));
  const xs = [...new Set([...Array.from({ length: Math.ceil(maxRound / step) }, (_, i) => 1 + i * step), maxRound])];
  return `<svg class="chart" id="loss-chart" viewBox="0 0 ${W} ${H}" role="img" aria-label="training and validation loss per round">
    <line class="axis" x1="${L}" y1="${H - B}" x2="${W - R}" y2="${H - B}"/><line class="axis" x1="${L}" y1="${T}" x2="${L}" y2="${H - B}"/>
    ${ticks.map((v) => `<text x="${L - 6}" y="${y(v) + 4}" text-anchor="end">${num(v, 3)}</text>`).join("")}
    ${xs.map((r) => `<text x="${x(r)}" y="${H - B + 16}" text-anchor="middle">${r}</text>`).join("")}
    <text x="${(L + W - R) / 2}" y="${H - 4}" text-anchor="middle">round</text>
    ${rounds.flatMap((r) => r.shards.map((s) => `<circle class="point-shard" cx="${x(r.round)}" cy="${y(s.loss)}" r="3"><title>round ${r.round}, shard ${s.shard}${s.worker ? " on " + esc(s.worker) : ""}: ${num(s.loss)}</title></circle>`)).join("")}
    <path class="train" d="${path("trainLoss")}"/><path class="validation" d="${path("validationLoss")}"/>
    ${rounds.map((r) => `<circle class="point-train" cx="${x(r.round)}" cy="${y(r.trainLoss)}" r="3.5"><title>round ${r.round} train ${num(r.trainLoss)}</title></circle>`).join("")}
    ${rounds.map((r) => `<circle class="point-validation" data-round="${r.round}" cx="${x(r.round)}" cy="${y(r.validationLoss)}" r="3.5"><title>round ${r.round} validation ${num(r.validationLoss)}</title></circle>`).join("")}
  </svg>
  <div class="legend"><span><i style="background:#f08c2e"></i>train loss (merged)</span><span><i style="background:#2f6fed"></i>validation loss</span><span><i style="background:#9aa3b5"></i>shard loss</span></div>`;
}

function profileTable(p) {
  if (!p) return `<p class="muted">Available once preprocessing is done.</p>`;
  return `<dl class="kv"><dt>rows</dt><dd>${p.rows} (train ${p.trainRows}, validation ${p.validationRows}, test ${p.testRows})</dd>
    <dt>dropped</dt><dd>${p.rowsDroppedMissingTarget} rows without a target</dd><dt>target</dt><dd>${esc(p.target)} (${esc(p.task)})</dd>
    <dt>imputation</dt><dd>${esc(p.imputation)}</dd></dl>
    <table id="profile"><thead><tr><th>Column</th><th>Kind</th><th>Decision</th><th>Why</th><th class="num">Missing</th><th class="num">Imputed</th></tr></thead><tbody>
    ${p.columns.map((c) => `<tr><td>${esc(c.name)}</td><td>${esc(c.kind)}</td><td>${badge(c.decision)}</td><td>${esc(c.reason ?? "")}</td><td class="num">${c.missing}</td><td class="num">${c.imputed}</td></tr>`).join("")}
    </tbody></table>`;
}

function renderJob(d, profile) {
  const s = d.summary;
  const shards = d.shards.map((sh) => `<tr><td>${sh.index}</td><td class="num">${sh.rows}</td><td>${sh.doneThisRound ? "reported" : s.finished ? "–" : "training"}</td>
      <td>${esc(sh.worker ?? "–")}</td><td class="num">${num(sh.loss)}</td><td class="num">${sh.attempts}</td></tr>`).join("");
  const model = d.model ? `<dl class="kv"><dt>model</dt><dd><a href="/ui/models#${esc(d.model.name)}">${esc(d.model.name)}</a> v${d.model.version ?? "–"}</dd>
      <dt>outcome</dt><dd>${badge(d.model.outcome)}</dd><dt>test</dt><dd id="test-metrics">${metrics(d.model.test)}</dd>
      <dt>baseline</dt><dd id="baseline-metrics">${metrics(d.model.baseline)} <span class="muted">ML.NET FastTree, same split</span></dd>
      <dt>trivial</dt><dd id="trivial-metrics">${metrics(d.model.trivial)} <span class="muted">${d.spec.task === "classification" ? "majority class" : "training mean"}, same split</span></dd></dl>` : `<p class="muted">Not deployed yet.</p>`;
  // The automatic training plan: each setting, its value and why (given by the job, or chosen from the data size).
  const plan = d.spec.plan ? `<table id="plan"><thead><tr><th>Setting</th><th>Value</th><th>Why</th></tr></thead><tbody>
      ${d.spec.plan.map((p) => `<tr><td>${esc(p.setting)}</td><td class="num">${esc(p.value)}</td><td>${p.automatic ? esc(p.reason) : "given by the job"}</td></tr>`).join("")}
      </tbody></table>` : `<p class="muted">Planned when the data set is accepted.</p>`;
  app.innerHTML = `
    <h1>Job <code>${esc(s.jobId)}</code> <span id="job-state">${badge(s.state)}</span></h1>
    ${d.failure ? `<div class="error" id="failure"><b>Failed in ${esc(d.failure.stage)}</b>\n${esc(d.failure.reason)}</div>` : ""}
    ${!d.failure && s.error ? `<div class="error">${esc(s.error)}</div>` : ""}
    <div class="grid">
      <div class="card"><h2>Overview</h2><dl class="kv">
        <dt>model</dt><dd>${esc(s.modelName)}</dd><dt>source</dt><dd><code>${esc(s.source)}</code></dd>
        <dt>stage</dt><dd>${esc(s.stage)}</dd><dt>round</dt><dd id="round">${s.round} of ${s.rounds}${d.bestRound ? ` (best ${d.bestRound})` : ""}</dd>
        <dt>progress</dt><dd><span class="bar"><span style="width:${Math.round(s.progress * 100)}%"></span></span></dd>
        <dt>rows</dt><dd>${d.datasetRows ?? "–"}</dd>
        <dt>stages</dt><dd>${d.stages.map((t) => `${esc(t.name)} ${t.seconds.toFixed(1)}s`).join(" · ") || "–"}</dd>
        </dl>
        ${s.finished ? "" : `<p><button class="danger" id="cancel">Cancel job</button></p>`}</div>
      <div class="card"><h2>Timeline</h2><ul class="timeline" id="timeline">${d.timeline.map((t) => `<li>${esc(t.stage)} <span class="muted">${new Date(t.at).toLocaleTimeString()}</span></li>`).join("")}</ul></div>
      <div class="card"><h2>Deployed model</h2>${model}</div>
    </div>
    <div class="card"><h2>Training plan</h2>${plan}</div>
    <div class="card"><h2>Loss per round</h2>${lossChart(d.rounds, s.rounds)}</div>
    <div class="grid">
      <div class="card"><h2>Shards</h2>${d.shards.length ? `<table id="shards"><thead><tr><th>Shard</th><th class="num">Rows</th><th>This round</th><th>Worker</th><th class="num">Loss</th><th class="num">Sends</th></tr></thead><tbody>${shards}</tbody></table>` : `<p class="muted">Not partitioned yet.</p>`}</div>
      <div class="card"><h2>Dataset profile</h2>${profileTable(profile)}</div>
    </div>`;
  const cancel = document.getElementById("cancel");
  if (cancel) cancel.onclick = async () => {
    cancel.disabled = true;
    try { await getJson(`/api/jobs/${s.jobId}/cancel`, { method: "POST" }); } catch (e) { alert(e.message); cancel.disabled = false; }
  };
}

async function showJob(id) {
  let profile = null;
  const load = async () => {
    const d = await getJson(`/api/jobs/${id}`);
    if (d.profileUrl && !profile) profile = await getJson(d.profileUrl).catch(() => null);
    renderJob(d, profile);
  };
  await load();
  let pending = false;
  listen(`/api/events?job=${encodeURIComponent(id)}`, async () => {
    if (pending) return;
    pending = true;
    try { await load(); } finally { pending = false; }
  });
}

// ---------- models page ----------
async function showModels() {
  const load = async () => {
    let models;
    try { models = await getJson("/api/models"); }
    catch (e) { app.innerHTML = `<h1>Models</h1><div class="error">The serving API is not hosted in this process (${esc(e.message)}).</div>`; return; }
    const details = await Promise.all(models.map((m) => getJson(`/api/models/${encodeURIComponent(m.name)}`)));
    app.innerHTML = `<h1>Models</h1>${details.length === 0 ? `<div class="card"><p class="muted" id="no-models">No model registered yet.</p></div>` : ""}
      ${details.map((m) => `<div class="card model" id="${esc(m.name)}" data-model="${esc(m.name)}">
        <h2>${esc(m.name)} <span class="muted">production: v${m.production ?? "–"}</span></h2>
        <table><thead><tr><th>Version</th><th>Stage</th><th>Test</th><th>Baseline</th><th>Created</th><th>Job</th><th></th></tr></thead><tbody>
        ${m.versions.map((v) => `<tr data-version="${v.version}"><td>v${v.version}</td><td>${badge(v.stage)}${v.stageReason ? `<div class="muted">${esc(v.stageReason)}</div>` : ""}</td>
          <td>${metrics(v.test)}</td><td>${metrics(v.baseline)}</td><td>${new Date(v.createdAt).toLocaleString()}</td>
          <td>${v.jobId ? `<a href="/ui/jobs/${esc(v.jobId)}"><code>${esc(short(v.jobId))}</code></a>` : ""}</td>
          <td>${v.stage !== "production" && v.version !== m.production ? `<button class="rollback" data-version="${v.version}">Make production</button>` : ""}</td></tr>`).join("")}
        </tbody></table>
        ${m.history && m.history.length ? `<p class="muted">History: ${m.history.map((h) => `v${h.version} (${esc(h.reason ?? "")})`).join(" → ")}</p>` : ""}
      </div>`).join("")}`;
    document.querySelectorAll("button.rollback").forEach((b) => {
      b.onclick = async () => {
        const name = b.closest(".model").dataset.model;
        b.disabled = true;
        try {
          await getJson(`/api/models/${encodeURIComponent(name)}/rollback`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ toVersion: Number(b.dataset.version), requestedBy: "dashboard" }) });
          await load();
        } catch (e) { alert(e.message); b.disabled = false; }
      };
    });
  };
  await load();
  listen("/api/events", (j) => { if (j.finished) load(); });
}

// ---------- routing ----------
async function route() {
  clearInterval(refreshTimer);
  if (!session && !(await loadSession())) return;
  const path = location.pathname.replace(/\/+$/, "");
  const job = path.match(/^\/ui\/jobs\/([0-9a-fA-F-]{36})$/);
  document.querySelectorAll("[data-nav]").forEach((a) => a.classList.toggle("active", path.startsWith(`/ui/${a.dataset.nav}`)));
  try {
    if (job) await showJob(job[1]);
    else if (path === "/ui/models") await showModels();
    else await showJobs();
  } catch (e) {
    app.innerHTML = `<div class="error">${esc(e.message)}</div>`;
  }
}

route();
