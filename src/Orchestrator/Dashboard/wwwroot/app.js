// Pipeline dashboard: routes the URL to its page (jobs.js, job.js, models.js); helpers in core.js, chart in chart.js.
"use strict";

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
