#!/usr/bin/python3
"""Learning-quality report: the pipeline against scikit-learn on public data sets, on the same held-out rows.

For each data set (datasets.py): one seeded 80/20 shuffle split into train.csv and test.csv, the same for every
method; each method trains on train.csv only and is scored on test.csv:

  ours      `pipeline demo --file train.csv --target T --task K --test-file test.csv --json` with the demo's default
            training settings (the same for every set), scored through its serving API (heldOut in the JSON)
  MLP       scikit-learn MLPRegressor/MLPClassifier(hidden_layer_sizes=(64,)), otherwise defaults, behind a
            standard ColumnTransformer (numeric: median imputer + standard scaler; categorical: one-hot;
            date-time: numeric parts; free text dropped); the regression target is standardised
            (TransformedTargetRegressor)
  HGB       scikit-learn HistGradientBoostingRegressor/Classifier, defaults, native categorical support
  ML.NET    the FastTree baseline the demo trains itself; read from its JSON, so scored on the demo's own internal
            test split of train.csv, not on test.csv
  trivial   mean of the train target (regression) or its majority class (classification), on test.csv

Run through run.sh (installs the npm data packages, builds the CLI). Writes results/latest.md and latest.json.
"""

import argparse
import csv
import glob
import json
import math
import os
import platform
import re
import subprocess
import sys
import time
import warnings
from datetime import datetime, timezone

import numpy as np

import datasets

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CLI = os.path.join(ROOT, "src", "Cli", "bin", "Release", "net10.0", "Pipeline.Cli.dll")

# Categorical columns for the MLP: one-hot of at most this many columns per feature (the most frequent categories,
# the rest and those seen fewer than MIN_FREQUENCY times in train folded into one 'infrequent' column).
MAX_CATEGORIES = 64
MIN_FREQUENCY = 5
# Categorical columns for HGB: its native categorical support takes at most 255 codes (max_bins); the most
# frequent 250 categories get one, the rest are treated as missing.
HGB_MAX_CATEGORIES = 250
# A string column is free text (dropped) when more than half its train values are distinct and there are over 50.
TEXT_DISTINCT_RATIO = 0.5
TEXT_MIN_DISTINCT = 50
# Probabilities are clipped before the log, as scikit-learn's log_loss does and as `demo --test-file` does.
PROBABILITY_FLOOR = 1e-15
MISSING_CATEGORY = "(missing)"
DATE = re.compile(r"^(\d{4})[-/](\d{2})[-/](\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?(?:Z|[+-]\d{2}:?\d{2})?$")


def log(message):
    print(message, file=sys.stderr, flush=True)


# ----------------------------------------------------------------------------------------------------- data


def write_csv(path, header, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def split(header, rows, target, seed):
    """Drops rows without a target (every method would), then a seeded shuffle: 20 % test, the rest train."""
    t = header.index(target)
    rows = [r for r in rows if r[t].strip() != ""]
    order = np.random.default_rng(seed).permutation(len(rows))
    n_test = int(round(0.2 * len(rows)))
    test = [rows[i] for i in order[:n_test]]
    train = [rows[i] for i in order[n_test:]]
    return train, test


# ------------------------------------------------------------------------------- scikit-learn preprocessing


def number(text):
    try:
        value = float(text)
    except ValueError:
        return math.nan
    return value if math.isfinite(value) else math.nan


class Column:
    """How the scikit-learn methods read one feature column, decided on the train split only."""

    def __init__(self, name, index, values):
        self.name, self.index = name, index
        present = [v.strip() for v in values if v.strip() != ""]
        self.has_time = False
        self.top = []
        if not present:
            self.kind = "empty"
        elif sum(not math.isnan(number(v)) for v in present) >= 0.95 * len(present):
            self.kind = "numeric"
        elif all(DATE.match(v) for v in present):
            self.kind = "date"
            self.has_time = any(DATE.match(v).group(4) for v in present)
        else:
            counts = {}
            for v in present:
                counts[v] = counts.get(v, 0) + 1
            if len(counts) > TEXT_DISTINCT_RATIO * len(present) and len(counts) > TEXT_MIN_DISTINCT:
                self.kind = "text"
            else:
                self.kind = "categorical"
                ranked = sorted(counts, key=lambda c: (-counts[c], c))
                self.top = sorted(ranked[:HGB_MAX_CATEGORIES])

    def numeric_parts(self, values):
        """Float columns: the number itself, or a date's day number, month, weekday (and hour when it has times)."""
        if self.kind == "numeric":
            return [np.array([number(v) for v in values])]
        cache = {}
        epoch = datetime(1970, 1, 1)

        def parts(v):
            v = v.strip()
            if v not in cache:
                m = DATE.match(v)
                try:
                    d = datetime(*(int(g) for g in m.groups()[:5] if g is not None)) if m else None
                except ValueError:
                    d = None
                cache[v] = (math.nan,) * 4 if d is None else (
                    (d - epoch).total_seconds() / 86400, d.month, d.weekday(), d.hour + d.minute / 60)
            return cache[v]

        table = np.array([parts(v) for v in values], dtype=float).reshape(len(values), 4)
        return [table[:, i] for i in range(4 if self.has_time else 3)]


def features(columns, rows):
    """An object matrix: float columns (NaN missing) first, then string columns; and how many are numeric."""
    numeric, categorical = [], []
    for c in columns:
        values = [r[c.index] for r in rows]
        if c.kind in ("numeric", "date"):
            numeric.extend(c.numeric_parts(values))
        elif c.kind == "categorical":
            categorical.append(np.array([v.strip() or MISSING_CATEGORY for v in values], dtype=object))
    x = np.empty((len(rows), len(numeric) + len(categorical)), dtype=object)
    for i, col in enumerate(numeric + categorical):
        x[:, i] = col
    return x, len(numeric)


def as_float(x):
    return np.asarray(x, dtype=float)


def mlp_preprocessing(n_numeric, n_columns):
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler

    numeric = Pipeline([("float", FunctionTransformer(as_float)), ("impute", SimpleImputer(strategy="median")),
                        ("scale", StandardScaler())])
    onehot = OneHotEncoder(handle_unknown="ignore", min_frequency=MIN_FREQUENCY, max_categories=MAX_CATEGORIES,
                           sparse_output=False)
    return ColumnTransformer([("numeric", numeric, list(range(n_numeric))),
                              ("categorical", onehot, list(range(n_numeric, n_columns)))])


def hgb_preprocessing(n_numeric, n_columns, columns):
    from sklearn.compose import ColumnTransformer
    from sklearn.preprocessing import FunctionTransformer, OrdinalEncoder

    categories = [c.top + ([MISSING_CATEGORY] if MISSING_CATEGORY not in c.top else []) for c in columns
                  if c.kind == "categorical"]
    ordinal = OrdinalEncoder(categories=[sorted(c) for c in categories], handle_unknown="use_encoded_value",
                             unknown_value=np.nan)
    return ColumnTransformer([("numeric", FunctionTransformer(as_float), list(range(n_numeric))),
                              ("categorical", ordinal, list(range(n_numeric, n_columns)))])


# ---------------------------------------------------------------------------------------------- metrics


def regression_metrics(y, p):
    y, p = np.asarray(y, dtype=float), np.asarray(p, dtype=float)
    e = y - p
    total = float(((y - y.mean()) ** 2).sum())
    mse = float((e ** 2).mean())
    return {"mse": mse, "rmse": math.sqrt(mse), "mae": float(np.abs(e).mean()),
            "r2": 1 - float((e ** 2).sum()) / total if total > 0 else None}


def classification_metrics(y, predicted, proba=None, classes=None):
    from sklearn.metrics import f1_score

    y, predicted = np.asarray(y, dtype=object), np.asarray(predicted, dtype=object)
    result = {"accuracy": float((y == predicted).mean()),
              "macroF1": float(f1_score(y.astype(str), predicted.astype(str), average="macro"))}
    if proba is not None:
        index = {c: i for i, c in enumerate(classes)}
        sums = proba.sum(axis=1)
        own = np.array([proba[i, index[t]] / sums[i] if t in index and sums[i] > 0 else 0.0 for i, t in enumerate(y)])
        result["logLoss"] = float(-np.log(np.clip(own, PROBABILITY_FLOOR, 1)).mean())
    return result


def score(task, y_test, model, x_test):
    predicted = model.predict(x_test)
    if task == "regression":
        return regression_metrics(y_test, predicted)
    return classification_metrics(y_test, predicted, model.predict_proba(x_test), list(model.classes_))


# ---------------------------------------------------------------------------------------------- methods


def run_ours(d, folder, train_csv, test_csv, seed, timeout, settings):
    command = ["dotnet", CLI, "demo", "--file", train_csv, "--target", d.target, "--task", d.task,
               "--seed", str(seed), "--test-file", test_csv, "--json", "--dir", os.path.join(folder, "ours")]
    if settings:
        command += ["--set", settings]
    started = time.monotonic()
    with open(os.path.join(folder, "ours.log"), "w", encoding="utf-8") as err:
        try:
            done = subprocess.run(command, stdout=subprocess.PIPE, stderr=err, text=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            return {"error": f"timed out after {timeout} s", "seconds": time.monotonic() - started}
    seconds = time.monotonic() - started
    with open(os.path.join(folder, "ours.json"), "w", encoding="utf-8") as f:
        f.write(done.stdout)
    try:
        result = json.loads(done.stdout)
    except json.JSONDecodeError:
        return {"error": f"exit {done.returncode}, no JSON (see {os.path.join(folder, 'ours.log')})", "seconds": seconds}
    held = result.get("heldOut") or {}
    # What the pipeline kept of the columns, from the profile its Preprocess stage saved (the reasons it dropped any).
    profiles = glob.glob(os.path.join(folder, "ours", "objects", "**", "profile.json"), recursive=True)
    dropped = {}
    if profiles:
        with open(profiles[0], encoding="utf-8") as f:
            dropped = {c["name"]: c.get("reason") or "" for c in json.load(f)["columns"] if c["decision"] == "dropped"}
    out = {"seconds": seconds, "exit": done.returncode, "state": result.get("state"),
           "heldOut": held, "internalTest": result.get("metrics"), "baseline": result.get("baseline"),
           "rounds": result.get("rounds"), "stages": result.get("stages"), "droppedColumns": dropped}
    if held.get("error") or not held:
        error = result.get("error") or {}
        out["error"] = held.get("error") or f"state {result.get('state')}: {error.get('stage', '')} {error.get('message', '')}"
    return out


class SklearnInputs:
    """The feature matrices and targets scikit-learn trains and scores on, from one split's rows."""

    def __init__(self, d, header, train, test):
        t = header.index(d.target)
        self.columns = [Column(h, i, [r[i] for r in train]) for i, h in enumerate(header) if i != t]
        self.x_train, self.n_numeric = features(self.columns, train)
        self.x_test, _ = features(self.columns, test)
        parse = float if d.task == "regression" else str.strip
        self.y_train = [parse(r[t]) for r in train]
        self.y_test = [parse(r[t]) for r in test]

    def run(self, name, d, seed, max_rows=200_000):
        return run_sklearn(name, d, self.x_train, self.y_train, self.x_test, self.y_test, self.n_numeric, self.columns,
                           seed, max_rows)


def run_sklearn(name, d, x_train, y_train, x_test, y_test, n_numeric, columns, seed, max_rows):
    from sklearn.compose import TransformedTargetRegressor
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
    from sklearn.neural_network import MLPClassifier, MLPRegressor
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    n_columns = x_train.shape[1]
    sampled = None
    if name == "mlp":
        if max_rows and len(x_train) > max_rows:
            pick = np.random.default_rng(seed).choice(len(x_train), size=max_rows, replace=False)
            x_train, y_train = x_train[pick], np.asarray(y_train, dtype=object)[pick]
            sampled = max_rows
        if d.task == "regression":
            model = TransformedTargetRegressor(
                regressor=Pipeline([("pre", mlp_preprocessing(n_numeric, n_columns)),
                                    ("mlp", MLPRegressor(hidden_layer_sizes=(64,), random_state=seed))]),
                transformer=StandardScaler())
        else:
            model = Pipeline([("pre", mlp_preprocessing(n_numeric, n_columns)),
                              ("mlp", MLPClassifier(hidden_layer_sizes=(64,), random_state=seed))])
    else:
        mask = [False] * n_numeric + [True] * (n_columns - n_numeric)
        kind = HistGradientBoostingRegressor if d.task == "regression" else HistGradientBoostingClassifier
        model = Pipeline([("pre", hgb_preprocessing(n_numeric, n_columns, columns)),
                          ("hgb", kind(categorical_features=mask if any(mask) else None, random_state=seed))])
    y_fit = np.asarray(y_train, dtype=float) if d.task == "regression" else np.asarray(y_train, dtype=object)
    started = time.monotonic()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence and unknown-category warnings: the metrics say what matters
        model.fit(x_train, y_fit)
        metrics = score(d.task, y_test, model, x_test)
    return {"seconds": time.monotonic() - started, "trainedOnRows": sampled or len(x_train), "subsample": sampled,
            "heldOut": metrics}


def run_trivial(d, y_train, y_test):
    if d.task == "regression":
        mean = float(np.mean(np.asarray(y_train, dtype=float)))
        return {"heldOut": regression_metrics(y_test, [mean] * len(y_test)), "prediction": mean}
    labels, counts = np.unique(np.asarray(y_train, dtype=str), return_counts=True)
    majority = labels[int(np.argmax(counts))]
    proba = np.tile(counts / counts.sum(), (len(y_test), 1))
    return {"heldOut": classification_metrics(y_test, [majority] * len(y_test), proba, list(labels)),
            "prediction": str(majority)}


# ------------------------------------------------------------------------------------------------ report


def headline(task):
    return ("r2", "R²") if task == "regression" else ("accuracy", "accuracy")


def fmt(value, digits=3):
    if value is None:
        return "–"
    return f"{value:.{digits}f}"


def cell_of(method, key):
    if method is None:
        return "–"
    if method.get("error"):
        return "error"
    value = (method.get("heldOut") or {}).get(key)
    text = fmt(value)
    if method.get("subsample"):
        text += " †"
    return text


def seconds(method):
    return "–" if not method or method.get("seconds") is None else f"{method['seconds']:.1f}"


def markdown(report):
    lines = []
    meta = report["meta"]
    lines.append(f"Run {meta['utc']} on commit `{meta['commit']}`, {meta['machine']}; seed {meta['seed']}; "
                 f"`{meta['command']}`; scikit-learn {meta['sklearn']}, numpy {meta['numpy']}, "
                 f"vega-datasets {meta['vegaDatasets']}.")
    lines.append("")
    lines.append("| data set | rows train / test | task | metric | ours (held-out) | sklearn MLP | sklearn HGB "
                 "| ML.NET baseline (internal split) | trivial | s ours | s MLP | s HGB |")
    lines.append("|---|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in report["datasets"]:
        key, label = headline(r["task"])
        ours, mlp, hgb, trivial = r.get("ours"), r.get("mlp"), r.get("hgb"), r.get("trivial")
        baseline = "error" if ours is None or ours.get("baseline") is None and ours.get("error") else \
            fmt((ours.get("baseline") or {}).get(key))
        lines.append(f"| {r['name']} | {r['trainRows']:,} / {r['testRows']:,} | {r['task']} | {label} "
                     f"| {cell_of(ours, key)} | {cell_of(mlp, key)} | {cell_of(hgb, key)} | {baseline} "
                     f"| {cell_of(trivial, key)} | {seconds(ours)} | {seconds(mlp)} | {seconds(hgb)} |")
    lines.append("")
    lines.append("Details on test.csv (regression: RMSE / MAE; classification: macro-F1 / log-loss), and ours on the "
                 "demo's internal test split next to the ML.NET baseline on that same split:")
    lines.append("")
    lines.append("| data set | ours | sklearn MLP | sklearn HGB | trivial | ours, internal split | ML.NET, internal split |")
    lines.append("|---|---:|---:|---:|---:|---:|---:|")
    for r in report["datasets"]:
        regression = r["task"] == "regression"
        a, b = ("rmse", "mae") if regression else ("macroF1", "logLoss")

        def pair(method, field="heldOut"):
            if method is None or method.get("error") and field == "heldOut":
                return "–"
            m = method.get(field) or {}
            return f"{fmt(m.get(a))} / {fmt(m.get(b))}"

        def internal(field):
            ours = r.get("ours") or {}
            m = ours.get(field) or {}
            key = "r2" if regression else "accuracy"
            second = "rmse" if regression else "logLoss"
            return f"{headline(r['task'])[1]} {fmt(m.get(key))}, {second} {fmt(m.get(second))}" if m else "–"

        lines.append(f"| {r['name']} | {pair(r.get('ours'))} | {pair(r.get('mlp'))} | {pair(r.get('hgb'))} "
                     f"| {pair(r.get('trivial'))} | {internal('internalTest')} | {internal('baseline')} |")
    lines.append("")
    notes = [
        ("ours: `pipeline demo` with its default settings (the automatic training plan chooses shards, epochs, batch size, patience from the data size; nothing set per data set), "
         if not meta.get("settings") else
         f"ours: `pipeline demo --set \"{meta['settings']}\"` (the same settings for every set; the automatic plan chooses the rest), ")
        + "scored on test.csv through its serving API (`--test-file`); its time is the whole demo process (start-up, "
        "ingest, preprocessing, training, the ML.NET baseline, deploy with ONNX export, held-out scoring).",
        "sklearn MLP: hidden_layer_sizes=(64,), otherwise defaults; numeric columns median-imputed and standardised, "
        f"categorical one-hot (at most {MAX_CATEGORIES} columns each, categories seen under {MIN_FREQUENCY} times "
        "folded together, unknown ignored), dates as day number, month, weekday (and hour when they have times), "
        "free-text columns dropped; the regression target is standardised (TransformedTargetRegressor). "
        "Its time is fit + predict.",
        "sklearn HGB: defaults, categorical columns as native categories (the 250 most frequent), same date parts.",
        "ML.NET baseline: the FastTree model the demo trains itself, read from its JSON: scored on the demo's internal "
        "test split of train.csv, not on test.csv, so it compares with ours on that split (details table), not "
        "with the other columns.",
        "trivial: mean of the train target (regression), majority class (classification), on test.csv.",
    ]
    if any((r.get("mlp") or {}).get("subsample") for r in report["datasets"]):
        sub = next(r["mlp"]["subsample"] for r in report["datasets"] if (r.get("mlp") or {}).get("subsample"))
        notes.append(f"†: trained on a uniform random sample of {sub:,} rows of the train split (time); scored on "
                     "the whole test.csv.")
    for n in notes:
        lines.append(f"- {n}")
    lines.append("")
    lines.append("Data sets (targets chosen in bench/quality/datasets.py) and the columns each side left out:")
    lines.append("")
    lines.append("| data set | source | target: why | feature columns | dropped by ours | dropped by sklearn |")
    lines.append("|---|---|---|---|---|---|")
    for r in report["datasets"]:
        ours_dropped = "; ".join(f"{k}: {v}" for k, v in ((r.get("ours") or {}).get("droppedColumns") or {}).items())
        sk_dropped = "; ".join(f"{k}: {'free text' if v == 'text' else v}" for k, v in (r.get("sklearnColumns") or {}).items()
                               if v in ("text", "empty"))
        lines.append(f"| {r['name']} | {r['source']} | {r['target']}: {r['why']} | {r['columns']} "
                     f"| {ours_dropped or '–'} | {sk_dropped or '–'} |")
    errors = [(r["name"], m, r[m]["error"]) for r in report["datasets"] for m in ("ours", "mlp", "hgb")
              if r.get(m) and r[m].get("error")]
    if errors:
        lines.append("")
        lines.append("Errors:")
        for name, method, error in errors:
            lines.append(f"- {name}, {method}: {error}")
    return "\n".join(lines) + "\n"


def commit():
    try:
        head = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                              check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, check=True).stdout.strip()
        return head + ("+changes" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def vega_version():
    try:
        with open(os.path.join(datasets.VEGA, "..", "package.json"), encoding="utf-8") as f:
            return json.load(f)["version"]
    except (OSError, KeyError, ValueError):
        return "unknown"


def machine():
    cpu = platform.processor() or "cpu"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            cpu = next((l.split(":", 1)[1].strip() for l in f if l.startswith("model name")), cpu)
    except OSError:
        pass
    return f"{os.cpu_count()} cores ({cpu})"


# -------------------------------------------------------------------------------------------------- main


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", help="comma-separated data set names: "
                        + ",".join(d.name for d in datasets.DATASETS + datasets.HOLDOUT))
    parser.add_argument("--quick", action="store_true", help="skip the 1M+ row set(s)")
    parser.add_argument("--holdout", action="store_true",
                        help="the hold-out sets (datasets.HOLDOUT) instead of the report's: to check a change chosen on the report")
    parser.add_argument("--seed", type=int, default=42, help="split, sklearn and demo seed (default 42)")
    parser.add_argument("--mlp-max-rows", type=int, default=200_000,
                        help="sklearn MLP trains on a uniform sample of this many train rows when there are more")
    parser.add_argument("--ours-timeout", type=int, default=3600, help="seconds one demo run may take")
    parser.add_argument("--work", default=os.path.join(HERE, "work"), help="data and run folder (default work/)")
    parser.add_argument("--results", default=os.path.join(HERE, "results"), help="where latest.md/json go")
    parser.add_argument("--set", dest="settings", default="",
                        help="job settings for every demo run, as `pipeline demo --set` takes them (e.g. \"patience=60\"): "
                             "to measure a setting against the automatic plan on the same splits")
    args = parser.parse_args()

    chosen = datasets.HOLDOUT if args.holdout else datasets.DATASETS
    if args.only:
        every = datasets.DATASETS + datasets.HOLDOUT
        names = [n.strip() for n in args.only.split(",") if n.strip()]
        unknown = [n for n in names if n not in {d.name for d in every}]
        if unknown:
            parser.error(f"unknown data set(s) {', '.join(unknown)}; known: {', '.join(d.name for d in every)}")
        chosen = [d for d in every if d.name in names]
    if args.quick:
        chosen = [d for d in chosen if not d.big]
    if not os.path.exists(CLI):
        sys.exit(f"quality.py: {CLI} is missing; build it (run.sh does: dotnet build src/Cli/Cli.csproj -c Release)")

    import sklearn
    meta = {"utc": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "commit": commit(), "machine": machine(),
            "seed": args.seed, "settings": args.settings, "command": " ".join(["bench/quality/run.sh"] + sys.argv[1:]),
            "sklearn": sklearn.__version__, "numpy": np.__version__, "vegaDatasets": vega_version()}
    report = {"meta": meta, "datasets": []}
    failures = 0
    for d in chosen:
        log(f"== {d.name} ({d.task}, target '{d.target}')")
        folder = os.path.join(args.work, d.name)
        os.makedirs(folder, exist_ok=True)
        header, rows = datasets.load(d.name, folder)
        train, test = split(header, rows, d.target, args.seed)
        del rows
        train_csv, test_csv = os.path.join(folder, "train.csv"), os.path.join(folder, "test.csv")
        write_csv(train_csv, header, train)
        write_csv(test_csv, header, test)
        entry = {"name": d.name, "task": d.task, "target": d.target, "source": d.source, "why": d.why,
                 "columns": d.kinds, "trainRows": len(train), "testRows": len(test)}
        report["datasets"].append(entry)
        log(f"   {len(train):,} train / {len(test):,} test rows -> {folder}")

        entry["ours"] = run_ours(d, folder, train_csv, test_csv, args.seed, args.ours_timeout, args.settings)
        log(f"   ours    {entry['ours'].get('heldOut')} ({entry['ours']['seconds']:.1f} s) {entry['ours'].get('error', '')}")

        inputs = SklearnInputs(d, header, train, test)
        entry["sklearnColumns"] = {c.name: c.kind for c in inputs.columns}
        del train, test
        for name in ("mlp", "hgb"):
            try:
                entry[name] = inputs.run(name, d, args.seed, args.mlp_max_rows)
            except Exception as ex:  # one method's failure is reported, the others still run
                entry[name] = {"error": f"{type(ex).__name__}: {ex}"}
            log(f"   {name:7} {entry[name].get('heldOut')} ({entry[name].get('seconds', 0):.1f} s) {entry[name].get('error', '')}")
        entry["trivial"] = run_trivial(d, inputs.y_train, inputs.y_test)
        failures += sum(1 for m in ("ours", "mlp", "hgb") if entry[m].get("error"))

    os.makedirs(args.results, exist_ok=True)
    text = markdown(report)
    with open(os.path.join(args.results, "latest.md"), "w", encoding="utf-8") as f:
        f.write(text)
    with open(os.path.join(args.results, "latest.json"), "w", encoding="utf-8") as f:
        json.dump(report, f, indent=2)
        f.write("\n")
    print(text)
    log(f"written {os.path.join(args.results, 'latest.md')} and latest.json")
    if failures:
        log(f"{failures} method run(s) failed: see Errors above")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
