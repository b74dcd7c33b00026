// The job page: outcome, failure reason, the loss chart, settings and plan, test metrics beside the baseline's and
// the trivial predictor's, a collapsible timeline, shards and the dataset profile; Cancel while it runs, Retrain after.
"use strict";

// The task as a word whether the API sends the enum's name or its number.
const taskName = (task) => (typeof task === "number" ? ["auto", "regression", "classification"][task] ?? String(task) : task);

// Why training ended, as the CLI's status says it (src/Cli/Commands/JobDetailText.cs): honest about early stops.
function trainingOutcome(d) {
  const s = d.summary;
  const best = d.bestRound ? `; best round ${d.bestRound}` : "";
  const trainingOver = ["Deploying", "Deployed", "Rejected"].includes(s.state);
  if (s.round === 0 && !trainingOver) return s.finished ? `no round ran (${s.state.toLowerCase()} in ${s.stage})` : "not started yet";
  if (s.state === "Cancelled") return `cancelled after ${s.round} of at most ${s.rounds} rounds${best}`;
  if (s.state === "Failed") return `failed after ${s.round} of at most ${s.rounds} rounds${best}`;
  if (!trainingOver) return `round ${s.round} of at most ${s.rounds}${best}`;
  if (s.round < s.rounds) {
    const since = d.bestRound ? s.round - d.bestRound : 0;
    const epochs = since * Math.max(1, d.spec.training.localEpochs);
    return `stopped early after ${s.round} of at most ${s.rounds} rounds${best}: no better validation loss in the ${since} round${since === 1 ? "" : "s"} after the best (${epochs} epochs; patience ${d.spec.training.patience} epochs)`;
  }
  return `ran all ${s.rounds} rounds${best}`;
}

// The early-stop round: the last round of a job whose training ended before its ceiling (not cancelled, not failed).
function earlyStopRound(d) {
  const s = d.summary;
  return ["Deploying", "Deployed", "Rejected"].includes(s.state) && s.round > 0 && s.round < s.rounds ? s.round : null;
}

// Every training setting: the plan's rows (value, automatic, why), then the others the spec carries.
function settingsTables(spec) {
  const plan = spec.plan ? `<table id="plan"><thead><tr><th>Setting</th><th class="num">Value</th><th>Chosen</th><th>Why</th></tr></thead><tbody>
      ${spec.plan.map((p) => `<tr><td>${esc(p.setting)}</td><td class="num">${esc(p.value)}</td><td>${p.automatic ? badge("automatic") : "given"}</td><td>${p.automatic ? esc(p.reason) : "given by the job"}</td></tr>`).join("")}
      </tbody></table>` : "";
  const t = spec.training;
  const others = [["hidden layers", (t.hiddenLayers || []).join(", ")], ["activation", t.activation], ["initialisation", t.initialisation],
    ["optimizer", t.optimizer], ["optimizer state", t.optimizerState], ["learning-rate schedule", t.learningRateSchedule],
    ["seed", t.seed], ["task", taskName(spec.task)], ["target", spec.target], ["force deploy", spec.forceDeploy ? "yes" : "no"]];
  const hyper = `<table id="hyper-parameters"><thead><tr><th>Hyper-parameter</th><th class="num">Value</th></tr></thead><tbody>
      ${others.map(([k, v]) => `<tr><td>${esc(k)}</td><td class="num">${esc(v)}</td></tr>`).join("")}</tbody></table>`;
  return `<div class="grid settings"><div>${plan || `<p class="muted">The plan is made when the data set is accepted.</p>`}</div><div>${hyper}</div></div>`;
}

// Test metrics, one row per metric, the model's figure beside the baseline's and the trivial predictor's.
function testMetricsTable(d) {
  const m = d.model;
  const names = METRICS.filter((n) => has(m.test, n) || has(m.baseline, n) || has(m.trivial, n));
  const trivialIs = isClassification(d.spec) ? "majority class" : "training mean";
  const cell = (set, n, id) => `<td class="num"${id ? ` id="${id}"` : ""}>${has(set, n) ? num(set[n]) : "–"}</td>`;
  return `<table id="test-metrics"><thead><tr><th>Test metric</th><th class="num">This model</th>
      <th class="num" title="ML.NET boosted trees (FastTree regression, LightGBM classification) on the same split">Baseline</th><th class="num" title="the ${trivialIs}, same split">Trivial (${trivialIs})</th></tr></thead><tbody>
      ${names.map((n) => `<tr data-metric="${n}"><td>${n}${HIGHER_IS_BETTER.has(n) ? " ↑" : " ↓"}</td>${cell(m.test, n)}${cell(m.baseline, n)}${cell(m.trivial, n)}</tr>`).join("")}
    </tbody></table>
    <p class="muted" id="metrics-note">Baseline: ML.NET boosted trees (FastTree regression, LightGBM classification); trivial: the ${trivialIs}; both on the same test split.</p>`;
}

// Stages and merged rounds, the rounds folded into one line: a 1,000-round job must not push the chart down.
function timeline(d) {
  const entries = d.timeline;
  const rounds = entries.filter((t) => /^round \d+ merged$/.test(t.stage));
  const time = (at) => new Date(at).toLocaleTimeString();
  const items = [];
  for (const t of entries) {
    if (rounds.length > 0 && t === rounds[0]) {
      items.push(`<li>${rounds.length === 1 ? esc(t.stage) : `rounds 1–${rounds.length} merged`} <span class="muted">${time(rounds[0].at)}${rounds.length > 1 ? ` – ${time(rounds[rounds.length - 1].at)}` : ""}</span></li>`);
    } else if (!rounds.includes(t)) {
      items.push(`<li>${esc(t.stage)} <span class="muted">${time(t.at)}</span></li>`);
    }
  }
  const last = entries[entries.length - 1];
  return `<details class="card" id="timeline-card"><summary><h2>Timeline</h2> <span class="muted">${last ? `${esc(last.stage)} at ${time(last.at)}` : ""}</span></summary>
    <ul class="timeline" id="timeline">${items.join("")}</ul></details>`;
}

// The baseline's and trivial predictor's test figures as levels on the loss axis, when the loss is in their units.
function chartLevels(d) {
  const metric = comparableMetric(d.spec, d.rounds);
  if (!metric || !d.model) return [];
  return [["baseline", d.model.baseline, "baseline"], ["trivial", d.model.trivial, "trivial"]]
    .filter(([, set]) => has(set, metric)).map(([name, set, css]) => ({ name, value: set[metric], css, metric }));
}

function renderJob(d, profile) {
  // Live updates and the log toggle redraw the page: keep what the user typed and whether the timeline was open.
  const typed = document.getElementById("retrain-settings")?.value;
  const open = document.getElementById("timeline-card")?.open;
  const s = d.summary;
  const over = s.finished;
  const failed = s.state === "Failed" || s.state === "Cancelled";
  const shards = d.shards.map((sh) => `<tr><td>${sh.index}</td><td class="num">${sh.rows}</td><td>${sh.doneThisRound ? "reported" : over ? "–" : "training"}</td>
      <td>${esc(sh.worker ?? "–")}</td><td class="num">${num(sh.loss)}</td><td class="num">${sh.attempts}</td></tr>`).join("");
  // A job that ended never fills in what it did not reach: its cards are left out rather than promised.
  const placeholder = (text) => (over ? "" : `<p class="muted placeholder">${text}</p>`);
  const card = (title, body, id = "") => (body ? `<div class="card"${id ? ` id="${id}"` : ""}><h2>${title}</h2>${body}</div>` : "");
  const model = d.model ? `<dl class="kv"><dt>model</dt><dd><a href="/ui/models#${esc(d.model.name)}">${esc(d.model.name)}</a> v${d.model.version ?? "–"}</dd>
      <dt>outcome</dt><dd>${badge(d.model.outcome)}</dd></dl>${testMetricsTable(d)}` : placeholder("Not deployed yet.");
  const reason = d.failure ? `<b>Failed in ${esc(d.failure.stage)}</b>\n${esc(d.failure.reason)}`
    : s.error ? `<b>${esc(s.state)}</b>\n${esc(s.error)}` : "";
  const levels = chartLevels(d);
  const levelNote = d.model && levels.length === 0 && d.rounds.length
    ? `<p class="muted" id="levels-note">The baseline and the trivial predictor are beside the test metrics: this loss is on the standardised target, their figures in the target's own unit.</p>` : "";
  const chart = d.rounds.length ? lossChart(d.rounds, { ceiling: s.rounds, finished: over, best: d.bestRound, stop: earlyStopRound(d), levels }) + levelNote
    : placeholder("The chart fills in as rounds are merged.");
  app.innerHTML = `
    <h1>Job <code>${esc(s.jobId)}</code> <span id="job-state">${badge(s.state)}</span>
      ${over ? `<span class="actions"><input type="text" id="retrain-settings" placeholder="settings, e.g. seed=7"><button id="retrain">Retrain</button></span>` : ""}</h1>
    ${reason ? `<div class="error" id="failure">${reason}</div>` : ""}
    <div class="error-line" id="action-error"></div>
    <div class="grid">
      <div class="card"><h2>Overview</h2><dl class="kv">
        <dt>model</dt><dd>${esc(s.modelName)}</dd><dt>source</dt><dd><code>${esc(s.source)}</code></dd>
        <dt>stage</dt><dd>${esc(s.stage)}</dd><dt>training</dt><dd id="training-outcome">${esc(trainingOutcome(d))}</dd>
        ${failed ? "" : `<dt>progress</dt><dd><span class="bar"><span style="width:${Math.round(s.progress * 100)}%"></span></span></dd>`}
        <dt>rows</dt><dd>${d.datasetRows ?? "–"}</dd>
        <dt>stages</dt><dd>${d.stages.map((t) => `${esc(t.name)} ${t.seconds.toFixed(1)}s`).join(" · ") || "–"}</dd>
        ${d.spec.retrainOf ? `<dt>retrain of</dt><dd><a href="/ui/jobs/${esc(d.spec.retrainOf)}"><code>${esc(short(d.spec.retrainOf))}</code></a></dd>` : ""}
        </dl>
        ${over ? "" : `<p><button class="danger" id="cancel">Cancel job</button></p>`}</div>
      ${card("Test metrics", model, "deployed-model")}
    </div>
    ${card("Loss per round", chart, "chart-card")}
    ${timeline(d)}
    ${card("Settings and plan", d.spec.plan || !over ? settingsTables(d.spec) : "", "settings-card")}
    <div class="grid">
      ${card("Shards", d.shards.length ? `<table id="shards"><thead><tr><th>Shard</th><th class="num">Rows</th><th>This round</th><th>Worker</th><th class="num">Loss</th><th class="num">Sends</th></tr></thead><tbody>${shards}</tbody></table>` : placeholder("Not partitioned yet."))}
      ${card("Dataset profile", profile ? profileTable(profile) : placeholder("Available once preprocessing is done."))}
    </div>`;
  if (typed) document.getElementById("retrain-settings").value = typed;
  if (open) document.getElementById("timeline-card").open = true;
  bindChart(() => renderJob(d, profile));
  bindJobActions(s);
}

function profileTable(p) {
  return `<dl class="kv"><dt>rows</dt><dd>${p.rows} (train ${p.trainRows}, validation ${p.validationRows}, test ${p.testRows})</dd>
    <dt>dropped</dt><dd>${p.rowsDroppedMissingTarget} rows without a target</dd><dt>target</dt><dd>${esc(p.target)} (${esc(p.task)})</dd>
    <dt>imputation</dt><dd>${esc(p.imputation)}</dd></dl>
    <table id="profile"><thead><tr><th>Column</th><th>Kind</th><th>Decision</th><th>Why</th><th class="num">Missing</th><th class="num">Imputed</th></tr></thead><tbody>
    ${p.columns.map((c) => `<tr><td>${esc(c.name)}</td><td>${esc(c.kind)}</td><td>${badge(c.decision)}</td><td>${esc(c.reason ?? "")}</td><td class="num">${c.missing}</td><td class="num">${c.imputed}</td></tr>`).join("")}
    </tbody></table>`;
}

function bindJobActions(s) {
  const error = document.getElementById("action-error");
  const cancel = document.getElementById("cancel");
  if (cancel) cancel.onclick = async () => {
    cancel.disabled = true;
    try { await getJson(`/api/jobs/${s.jobId}/cancel`, { method: "POST" }); } catch (e) { error.textContent = e.message; cancel.disabled = false; }
  };
  const retrain = document.getElementById("retrain");
  if (retrain) retrain.onclick = async () => {
    retrain.disabled = true;
    error.textContent = "";
    try {
      const settings = parseSettings(document.getElementById("retrain-settings").value);
      const body = Object.keys(settings).length ? JSON.stringify({ settings }) : "{}";
      const accepted = await getJson(`/api/jobs/${s.jobId}/retrain`, { method: "POST", headers: { "content-type": "application/json" }, body });
      await openJob(accepted.jobId);
    } catch (e) { error.textContent = e.message; retrain.disabled = false; }
  };
}

async function showJob(id) {
  let profile = null;
  let shown = null; // a refresh that finds the same job leaves the page (and the retrain field's focus) alone
  const load = async () => {
    const detail = await getJson(`/api/jobs/${id}`);
    if (detail.profileUrl && !profile) profile = await getJson(detail.profileUrl).catch(() => null);
    const text = JSON.stringify([detail, profile]);
    if (text === shown) return;
    shown = text;
    renderJob(detail, profile);
  };
  // A job just submitted (or retrained) answers 404 until the orchestrator has recorded it: wait for it a while.
  for (let attempt = 0; ; attempt++) {
    try { await load(); break; } catch (e) {
      if (e.status !== 404 || attempt >= 60) throw e;
      app.innerHTML = `<h1>Job <code>${esc(id)}</code></h1><p class="muted" id="job-waiting">Waiting for the job to be recorded…</p>`;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  let pending = false;
  const refresh = async () => {
    if (pending) return;
    pending = true;
    try { await load(); } finally { pending = false; }
  };
  listen(`/api/events?job=${encodeURIComponent(id)}`, refresh, refresh);
}
