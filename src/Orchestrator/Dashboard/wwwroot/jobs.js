// The jobs list, and the form that submits a file from the browser (POST /api/jobs?name=FILE&target=..., the file as
// the body), then opens the new job.
"use strict";

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

function submitForm() {
  return `<details class="card" id="submit-card"><summary><h2>Submit a file</h2></summary>
    <form id="submit-form" class="submit">
      <label>File <input type="file" id="submit-file" accept=".csv,.gz,.json,text/csv" required></label>
      <label>Target column <input type="text" id="submit-target" placeholder="last column"></label>
      <label>Model name <input type="text" id="submit-model" placeholder="the file's name"></label>
      <label>Settings <input type="text" id="submit-settings" placeholder="rounds=50 patience=10"></label>
      <button type="submit" id="submit-button">Submit</button>
      <span class="error-line" id="submit-error"></span>
    </form></details>`;
}

function bindSubmit() {
  const form = document.getElementById("submit-form");
  if (!form) return;
  form.onsubmit = async (event) => {
    event.preventDefault();
    const error = document.getElementById("submit-error");
    const button = document.getElementById("submit-button");
    const file = document.getElementById("submit-file").files[0];
    error.textContent = "";
    if (!file) { error.textContent = "Choose a file first."; return; }
    try {
      const query = new URLSearchParams({ name: file.name });
      const target = document.getElementById("submit-target").value.trim();
      const model = document.getElementById("submit-model").value.trim();
      if (target) query.set("target", target);
      if (model) query.set("model", model);
      for (const [key, value] of Object.entries(parseSettings(document.getElementById("submit-settings").value))) query.set(key, value);
      button.disabled = true;
      const type = /\.gz$/i.test(file.name) ? "application/gzip" : /\.json$/i.test(file.name) ? "application/json" : "text/csv";
      const accepted = await getJson(`/api/jobs?${query}`, { method: "POST", headers: { "content-type": type }, body: file });
      await openJob(accepted.jobId);
    } catch (e) {
      error.textContent = e.message;
      button.disabled = false;
    }
  };
}

function renderJobs() {
  const rows = [...jobs.values()].sort((a, b) => new Date(b.submittedAt) - new Date(a.submittedAt));
  const list = document.getElementById("jobs-list");
  list.innerHTML = rows.length === 0
    ? `<p class="muted" id="no-jobs">No jobs yet. Submit a file above, drop one into the ingest bucket or run <code>pipeline submit FILE --target COLUMN</code>.</p>`
    : `<table id="jobs"><thead><tr><th>Job</th><th>Model</th><th>State</th><th>Stage</th><th>Progress</th><th class="num">Round</th><th class="num">Val. loss</th><th class="num">Age</th></tr></thead>
       <tbody>${rows.map(jobRow).join("")}</tbody></table>`;
}

async function loadJobs() {
  const list = await getJson("/api/jobs?limit=200");
  jobs.clear();
  list.forEach((j) => jobs.set(j.jobId, j));
}

async function showJobs() {
  await loadJobs();
  // The form is drawn once: live updates redraw only the list, so a half-filled form is never lost.
  app.innerHTML = `<h1>Jobs</h1>${submitForm()}<div class="card" id="jobs-list"></div>`;
  bindSubmit();
  renderJobs();
  listen("/api/events", (j) => { jobs.set(j.jobId, j); renderJobs(); }, async () => { await loadJobs(); renderJobs(); });
  refreshTimer = setInterval(() => document.querySelectorAll("td.age").forEach((td) => { td.textContent = age(td.dataset.since); }), 1000);
}
