// The models page: per model, its versions with each test metric in a column that sorts (click the header), a
// side-by-side comparison of the versions ticked (metrics, and the hyper-parameters of the jobs that trained them),
// and "Make production" behind a confirmation (for archived versions: the registry rolls back only to a version that
// was production before).
"use strict";

const modelSort = new Map(); // model name -> { key, descending }
const modelPicks = new Map(); // model name -> Set of versions ticked for comparison

function sortValue(v, key) {
  if (key === "version") return v.version;
  if (key === "created") return new Date(v.createdAt).getTime();
  if (key === "stage") return v.stage;
  const value = v.test ? v.test[key] : undefined;
  return value === null || value === undefined ? null : Number(value);
}

function sortedVersions(m) {
  const { key, descending } = modelSort.get(m.name) ?? { key: "version", descending: true };
  return [...m.versions].sort((a, b) => {
    const x = sortValue(a, key), y = sortValue(b, key);
    if (x === null) return y === null ? 0 : 1; // versions without the metric go last either way
    if (y === null) return -1;
    return (x < y ? -1 : x > y ? 1 : 0) * (descending ? -1 : 1);
  });
}

// A version's files as Deploy serves them (GET /models/{name}/versions/{v}/artifacts/{kind}, reader role).
const ARTIFACTS = [["model", "model"], ["onnx", "ONNX"], ["card", "card"], ["transform", "transform"]];
const downloads = (name, version) => ARTIFACTS.map(([kind, label]) =>
  `<a class="download" data-artifact="${kind}" download href="/models/${encodeURIComponent(name)}/versions/${version}/artifacts/${kind}">${label}</a>`).join(" · ");

function modelCard(m) {
  const columns = METRICS.filter((n) => m.versions.some((v) => has(v.test, n)));
  const sort = modelSort.get(m.name) ?? { key: "version", descending: true };
  const picks = modelPicks.get(m.name) ?? new Set();
  const header = (key, label, css = "") => `<th class="sortable ${css}${sort.key === key ? ` sorted ${sort.descending ? "desc" : "asc"}` : ""}" data-sort="${key}"
      title="sort by ${esc(label)}">${esc(label)}${sort.key === key ? (sort.descending ? " ▾" : " ▴") : ""}</th>`;
  const rows = sortedVersions(m).map((v) => `<tr data-version="${v.version}">
      <td><input type="checkbox" class="pick" data-version="${v.version}"${picks.has(v.version) ? " checked" : ""} aria-label="compare v${v.version}"></td>
      <td>v${v.version}</td><td>${badge(v.stage)}${v.stageReason ? `<div class="muted">${esc(v.stageReason)}</div>` : ""}</td>
      ${columns.map((n) => `<td class="num" data-metric="${n}">${has(v.test, n) ? num(v.test[n]) : "–"}</td>`).join("")}
      <td class="num">${v.gateMetric && has(v.baseline, v.gateMetric) ? `${esc(v.gateMetric)} ${num(v.baseline[v.gateMetric])}` : "–"}</td>
      <td>${new Date(v.createdAt).toLocaleString()}</td>
      <td>${v.jobId ? `<a href="/ui/jobs/${esc(v.jobId)}"><code>${esc(short(v.jobId))}</code></a>` : ""}</td>
      <td class="files">${downloads(m.name, v.version)}</td>
      <td>${v.stage === "archived" ? `<button class="rollback" data-version="${v.version}">Make production</button>` : ""}</td></tr>`).join("");
  return `<div class="card model" id="${esc(m.name)}" data-model="${esc(m.name)}">
    <h2>${esc(m.name)} <span class="muted">production: v${m.production ?? "–"}</span></h2>
    <table class="versions"><thead><tr><th></th>${header("version", "Version")}${header("stage", "Stage")}
      ${columns.map((n) => header(n, n, "num")).join("")}<th class="num">Baseline</th>${header("created", "Created")}<th>Job</th><th>Files</th><th></th></tr></thead>
      <tbody>${rows}</tbody></table>
    <p><button class="compare" ${picks.size >= 2 ? "" : "disabled"}>Compare ${picks.size >= 2 ? `${picks.size} versions` : "(tick two or more)"}</button></p>
    <div class="comparison"></div>
    ${m.history && m.history.length ? `<p class="muted">History: ${m.history.map((h) => `v${h.version} (${esc(h.reason ?? "")})`).join(" → ")}</p>` : ""}
  </div>`;
}

// Side by side: each selected version's metrics (test, validation, baseline) and its job's settings, differences marked.
async function compare(m, card) {
  const versions = m.versions.filter((v) => (modelPicks.get(m.name) ?? new Set()).has(v.version)).sort((a, b) => a.version - b.version);
  const specs = await Promise.all(versions.map((v) => (v.jobId ? getJson(`/api/jobs/${v.jobId}`).then((d) => d.spec).catch(() => null) : null)));
  const rows = [];
  const row = (group, label, values) => {
    const shown = values.map((x) => (x === null || x === undefined || x === "" ? "–" : x));
    const differs = new Set(shown).size > 1;
    rows.push(`<tr class="${differs ? "differs" : ""}"><th>${esc(group)}</th><td>${esc(label)}</td>${shown.map((x) => `<td class="num">${esc(x)}</td>`).join("")}</tr>`);
  };
  for (const [group, key] of [["test", "test"], ["validation", "validation"], ["baseline", "baseline"]]) {
    for (const n of METRICS.filter((n) => versions.some((v) => has(v[key], n)))) row(group, n, versions.map((v) => (has(v[key], n) ? num(v[key][n]) : null)));
  }
  const settings = [...new Set(specs.flatMap((s) => (s && s.plan ? s.plan.map((p) => p.setting) : [])))];
  for (const name of settings) row("setting", name, specs.map((s) => s?.plan?.find((p) => p.setting === name)?.value));
  const training = (s, f) => (s ? f(s.training) : null);
  row("setting", "hidden layers", specs.map((s) => training(s, (t) => (t.hiddenLayers || []).join(","))));
  for (const k of ["activation", "optimizer", "initialisation", "seed"]) row("setting", k, specs.map((s) => training(s, (t) => t[k])));
  card.querySelector(".comparison").innerHTML = `<table class="comparison-table" id="compare-${esc(m.name)}"><thead><tr><th></th><th></th>
      ${versions.map((v) => `<th class="num">v${v.version} ${badge(v.stage)}</th>`).join("")}</tr></thead><tbody>${rows.join("")}</tbody></table>
    <p class="muted">Rows whose values differ are highlighted; settings come from the jobs that trained each version.</p>`;
}

function bindModel(m, card, reload) {
  const redraw = () => { const fresh = document.createElement("div"); fresh.innerHTML = modelCard(m); const next = fresh.firstElementChild; card.replaceWith(next); bindModel(m, next, reload); };
  card.querySelectorAll("th.sortable").forEach((th) => {
    th.onclick = () => {
      const current = modelSort.get(m.name);
      const key = th.dataset.sort;
      // Metrics where higher is worse start from the best (lowest); the rest from the highest.
      const descending = current && current.key === key ? !current.descending : HIGHER_IS_BETTER.has(key) || key === "version" || key === "created";
      modelSort.set(m.name, { key, descending });
      redraw();
    };
  });
  card.querySelectorAll("input.pick").forEach((box) => {
    box.onchange = () => {
      const picks = modelPicks.get(m.name) ?? new Set();
      if (box.checked) picks.add(Number(box.dataset.version)); else picks.delete(Number(box.dataset.version));
      modelPicks.set(m.name, picks);
      redraw();
    };
  });
  card.querySelector("button.compare").onclick = () => compare(m, card).catch((e) => { card.querySelector(".comparison").innerHTML = `<div class="error">${esc(e.message)}</div>`; });
  card.querySelectorAll("button.rollback").forEach((b) => {
    b.onclick = async () => {
      const current = m.production ? `v${m.production}` : "no version";
      if (!confirm(`Make ${m.name} v${b.dataset.version} the production model?\nIt replaces ${current}; predictions use it at once.`)) return;
      b.disabled = true;
      try {
        await getJson(`/api/models/${encodeURIComponent(m.name)}/rollback`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ toVersion: Number(b.dataset.version), requestedBy: "dashboard" }) });
        await reload();
      } catch (e) { alert(e.message); b.disabled = false; }
    };
  });
}

async function showModels() {
  let shown = null; // what is drawn: a refresh that finds the same data leaves the page (and a comparison) alone
  const load = async () => {
    let models;
    try { models = await getJson("/api/models"); }
    catch (e) { app.innerHTML = `<h1>Models</h1><div class="error">The serving API is not hosted in this process (${esc(e.message)}).</div>`; return; }
    const details = await Promise.all(models.map((m) => getJson(`/api/models/${encodeURIComponent(m.name)}`)));
    const text = JSON.stringify(details);
    if (text === shown) return;
    shown = text;
    app.innerHTML = `<h1>Models</h1>${details.length === 0 ? `<div class="card"><p class="muted" id="no-models">No model registered yet.</p></div>` : ""}
      ${details.map(modelCard).join("")}`;
    details.forEach((m) => bindModel(m, app.querySelector(`.model[data-model="${CSS.escape(m.name)}"]`), load));
  };
  await load();
  listen("/api/events", (j) => { if (j.finished) load(); }, load);
}
