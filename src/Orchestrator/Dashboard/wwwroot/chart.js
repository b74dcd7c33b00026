// The loss chart of the job page: hand-drawn SVG (nothing to vendor), readable from 3 rounds to thousands.
// Lines for train and validation loss, thin markers only while there are few rounds, min/max decimation once there
// are more rounds than pixels, a log scale on request, and the best round, the early stop and the baseline's and
// trivial predictor's levels marked.
"use strict";

const CHART = { W: 900, H: 320, L: 64, R: 96, T: 18, B: 44 };
const FEW_ROUNDS = 60; // up to this many rounds each point gets a marker (and each shard its dot)
let chartLogScale = false; // kept across the re-renders live updates cause

// 1, 2 or 5 times a power of ten: tick steps people read at a glance.
function niceStep(span, count) {
  const raw = span / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? raw;
}

function linearTicks(lo, hi, count = 6) {
  const step = niceStep(hi - lo, count);
  const ticks = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

function logTicks(lo, hi) {
  const ticks = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** e;
      if (v >= lo && v <= hi) ticks.push(v);
    }
  }
  // A range within one decade has too few of those: plain steps then, placed on the log axis.
  return ticks.length >= 3 ? ticks : linearTicks(lo, hi, 6);
}

// Keeps, per pixel column, its lowest and highest point (in round order): the line looks the same, with at most two
// points a pixel.
function decimate(points, x, pixels) {
  if (points.length <= pixels) return points;
  const kept = [];
  let bucket = [];
  let column = null;
  const flush = () => {
    if (bucket.length === 0) return;
    const lo = bucket.reduce((a, p) => (p.v < a.v ? p : a));
    const hi = bucket.reduce((a, p) => (p.v > a.v ? p : a));
    const chosen = new Set([lo, hi]);
    kept.push(...bucket.filter((p) => chosen.has(p)));
    bucket = [];
  };
  for (const p of points) {
    const c = Math.floor(x(p.r));
    if (c !== column) { flush(); column = c; }
    bucket.push(p);
  }
  flush();
  return kept;
}

// The metric the validation loss is measured in, when the baseline's and trivial predictor's test figures share its
// units and may be drawn as levels on the loss axis: the log-loss of a classification. A regression's loss is the MSE
// of the standardised target (docs/TRAINING.md; Deploy reports test metrics in the target's own unit), so its levels
// stay beside the test metrics instead.
function comparableMetric(spec, rounds) {
  const r = rounds[rounds.length - 1];
  return isClassification(spec) && r && has(r.validation, "logLoss") ? "logLoss" : null;
}

/**
 * @param rounds   the job's merged rounds (round, trainLoss, validationLoss, validation, shards)
 * @param options  { ceiling, finished, best, stop, levels: [{ name, value, css }] }
 */
function lossChart(rounds, options) {
  if (rounds.length === 0) return "";
  const { W, H, L, R, T, B } = CHART;
  const log = chartLogScale;
  const few = rounds.length <= FEW_ROUNDS;
  const last = rounds[rounds.length - 1].round;
  // A finished job spans the rounds it ran; a running one leaves room to grow, up to its ceiling.
  const maxRound = Math.max(2, options.finished ? last : Math.min(options.ceiling, Math.max(last + 5, Math.ceil(last * 1.25))), last);
  const usable = (v) => Number.isFinite(v) && (!log || v > 0);
  const values = rounds.flatMap((r) => [r.trainLoss, r.validationLoss, ...(few ? r.shards.map((s) => s.loss) : [])])
    .concat(options.levels.map((l) => l.value)).filter(usable);
  let lo = Math.min(...values), hi = Math.max(...values);
  if (log) { lo /= 1.15; hi *= 1.15; } else { const pad = (hi - lo) * 0.05 || 0.5; lo = Math.max(0, lo - pad); hi += pad; }
  const f = log ? Math.log10 : (v) => v;
  const x = (r) => L + ((r - 1) / (maxRound - 1)) * (W - L - R);
  const y = (v) => T + (1 - (f(v) - f(lo)) / (f(hi) - f(lo))) * (H - T - B);
  const clampY = (v) => Math.min(H - B, Math.max(T, y(v)));
  const series = (key) => decimate(rounds.filter((r) => usable(r[key])).map((r) => ({ r: r.round, v: r[key] })), x, W - L - R);
  const path = (points) => points.map((p, i) => `${i ? "L" : "M"}${x(p.r).toFixed(1)},${clampY(p.v).toFixed(1)}`).join("");
  const yTicks = log ? logTicks(lo, hi) : linearTicks(lo, hi);
  const xTicks = linearTicks(1, maxRound, 10).filter((r) => r >= 1 && Number.isInteger(r));
  const grid = yTicks.map((v) => `<line class="grid" x1="${L}" y1="${y(v).toFixed(1)}" x2="${W - R}" y2="${y(v).toFixed(1)}"/>
    <text x="${L - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${num(v, 3)}</text>`).join("");
  const xLabels = xTicks.map((r) => `<line class="axis" x1="${x(r).toFixed(1)}" y1="${H - B}" x2="${x(r).toFixed(1)}" y2="${H - B + 4}"/>
    <text x="${x(r).toFixed(1)}" y="${H - B + 16}" text-anchor="middle">${r}</text>`).join("");
  // Labels on two lines, so a best round just before the early stop stays readable.
  const vertical = (round, id, css, label, line) => round ? `<g id="${id}" class="${css}" data-round="${round}">
    <line x1="${x(round).toFixed(1)}" y1="${T}" x2="${x(round).toFixed(1)}" y2="${H - B}"/>
    <text x="${(x(round) + (x(round) > W - R - 120 ? -4 : 4)).toFixed(1)}" y="${T + 10 + line * 14}" text-anchor="${x(round) > W - R - 120 ? "end" : "start"}">${esc(label)}</text></g>` : "";
  const levels = options.levels.filter((l) => usable(l.value)).map((l) => `<g class="level ${l.css}" id="level-${l.css}" data-value="${l.value}">
    <line x1="${L}" y1="${y(l.value).toFixed(1)}" x2="${W - R}" y2="${y(l.value).toFixed(1)}"/>
    <text x="${W - R + 4}" y="${(y(l.value) + 4).toFixed(1)}">${esc(l.name)} ${num(l.value, 3)}</text></g>`).join("");
  const bestRound = rounds.find((r) => r.round === options.best);
  const markers = few ? `
    ${rounds.flatMap((r) => r.shards.filter((s) => usable(s.loss)).map((s) => `<circle class="point-shard" cx="${x(r.round).toFixed(1)}" cy="${clampY(s.loss).toFixed(1)}" r="2"><title>round ${r.round}, shard ${s.shard}${s.worker ? " on " + esc(s.worker) : ""}: ${num(s.loss)}</title></circle>`)).join("")}
    ${rounds.filter((r) => usable(r.trainLoss)).map((r) => `<circle class="point-train" cx="${x(r.round).toFixed(1)}" cy="${clampY(r.trainLoss).toFixed(1)}" r="2.5"><title>round ${r.round} train ${num(r.trainLoss)}</title></circle>`).join("")}
    ${rounds.filter((r) => usable(r.validationLoss)).map((r) => `<circle class="point-validation" data-round="${r.round}" cx="${x(r.round).toFixed(1)}" cy="${clampY(r.validationLoss).toFixed(1)}" r="2.5"><title>round ${r.round} validation ${num(r.validationLoss)}</title></circle>`).join("")}` : "";
  return `<div class="chart-tools"><label><input type="checkbox" id="log-scale"${log ? " checked" : ""}> log scale</label>
      <span class="muted">${rounds.length} rounds${few ? "" : " (one line per pixel column, lowest and highest kept)"}</span></div>
    <svg class="chart" id="loss-chart" data-scale="${log ? "log" : "linear"}" viewBox="0 0 ${W} ${H}" role="img" aria-label="training and validation loss per round">
    ${grid}
    <line class="axis" x1="${L}" y1="${H - B}" x2="${W - R}" y2="${H - B}"/><line class="axis" x1="${L}" y1="${T}" x2="${L}" y2="${H - B}"/>
    ${xLabels}
    <text class="axis-label" x="${(L + W - R) / 2}" y="${H - 6}" text-anchor="middle">round</text>
    <text class="axis-label" transform="translate(14 ${(T + H - B) / 2}) rotate(-90)" text-anchor="middle">loss${log ? " (log scale)" : ""}</text>
    ${levels}
    <path class="train" d="${path(series("trainLoss"))}"/><path class="validation" d="${path(series("validationLoss"))}"/>
    ${markers}
    ${vertical(options.stop, "stop-marker", "stop", `early stop (${options.stop})`, 0)}
    ${vertical(options.best, "best-marker", "best", `best ${options.best}`, 1)}
    ${bestRound && usable(bestRound.validationLoss) ? `<circle id="best-point" class="best" cx="${x(bestRound.round).toFixed(1)}" cy="${clampY(bestRound.validationLoss).toFixed(1)}" r="5"><title>best round ${bestRound.round}: validation ${num(bestRound.validationLoss)}</title></circle>` : ""}
  </svg>
  <div class="legend"><span><i class="key train"></i>train loss (merged)</span><span><i class="key validation"></i>validation loss</span>
    ${few ? `<span><i class="key shard"></i>shard loss</span>` : ""}<span><i class="key best"></i>best round</span>
    ${options.stop ? `<span><i class="key stop"></i>early stop</span>` : ""}
    ${options.levels.map((l) => `<span><i class="key ${l.css}"></i>${esc(l.name)} (test ${esc(l.metric)})</span>`).join("")}</div>`;
}

// The log toggle redraws through the page's own render, so live updates keep the chosen scale.
function bindChart(redraw) {
  const toggle = document.getElementById("log-scale");
  if (toggle) toggle.onchange = () => { chartLogScale = toggle.checked; redraw(); };
}
