"""The data sets of the learning-quality report: where each comes from, its target, and why that target.

Every set is a real public data set shipped by a package this machine's registries serve (nothing is downloaded
from elsewhere): scikit-learn's bundled files (Debian's python3-sklearn) and the npm package vega-datasets
(pinned in package.json). Each loader returns (header, rows) with rows as lists of strings, '' for a missing
value; the caller writes them as one CSV with a header, which is what the pipeline reads.

The one place that chooses targets is DATASETS below. A target is the set's own label where it has one, else the
column a user of that data would most plausibly want predicted; no target was picked for how well any method does.
"""

import csv
import json
import math
import os
import subprocess
from dataclasses import dataclass
from datetime import datetime

HERE = os.path.dirname(os.path.abspath(__file__))
VEGA = os.path.join(HERE, "node_modules", "vega-datasets", "data")


@dataclass(frozen=True)
class Dataset:
    name: str
    task: str  # "regression" or "classification"
    target: str
    source: str
    why: str
    kinds: str  # what the feature columns hold, for the reader of the table
    big: bool = False  # 1M+ rows: skipped by --quick


DATASETS = [
    Dataset("diabetes", "regression", "progression", "scikit-learn load_diabetes(scaled=False)",
            "the set's own target: disease progression one year after baseline", "numeric (10)"),
    Dataset("breast-cancer", "classification", "diagnosis", "scikit-learn load_breast_cancer",
            "the set's own label: malignant or benign", "numeric (30)"),
    Dataset("iris", "classification", "species", "scikit-learn load_iris",
            "the set's own label: 3 species", "numeric (4)"),
    Dataset("digits", "classification", "digit", "scikit-learn load_digits",
            "the set's own label: the digit 0-9 of an 8x8 image", "numeric (64 pixels)"),
    Dataset("cars", "regression", "Miles_per_Gallon", "vega-datasets cars.json",
            "fuel economy, the classic target of this set (auto-mpg)",
            "numeric, categorical (Origin), date (Year), free text (Name)"),
    Dataset("seattle-weather", "classification", "weather", "vega-datasets seattle-weather.csv",
            "the set's label column: the day's weather (5 unbalanced classes)", "numeric, date"),
    Dataset("movies", "regression", "IMDB Rating", "vega-datasets movies.json",
            "the audience rating, the outcome a user of this set would predict from the rest",
            "numeric with many missing, categorical (high-cardinality Director, Distributor), date, free text (Title)"),
    Dataset("penguins", "classification", "Species", "vega-datasets penguins.json",
            "the set's own label: 3 species", "numeric, categorical (Island, Sex), a few missing"),
    Dataset("birdstrikes", "classification", "Phase of flight", "vega-datasets birdstrikes.csv",
            "the flight phase of a bird strike (7 unbalanced classes): its natural label 'Effect Amount of damage' "
            "writes no damage as the word None, which CSV readers (ours included) take for a missing value",
            "categorical (airport, aircraft, operator, species, ...), numeric (costs, speed with 28% missing), date"),
    Dataset("flights-3m", "regression", "delay", "vega-datasets flights-3m.parquet (3,000,000 US flights, 2001)",
            "the arrival delay in minutes, the quantity this set records; little of it is predictable from these "
            "columns, so R2 is low for every method: the set is here for scale",
            "date-time, numeric (distance), categorical (origin, destination)", big=True),
]


# Sets no default was chosen on: a change measured on DATASETS is checked on these before it is kept, so a rule that
# only fits the report's sets shows (`run.sh --holdout`, or by name with --only). Same choice of targets as above.
HOLDOUT = [
    Dataset("wine", "classification", "cultivar", "scikit-learn load_wine",
            "the set's own label: 3 cultivars", "numeric (13)"),
    Dataset("gapminder", "regression", "life_expect", "vega-datasets gapminder.json",
            "life expectancy, the outcome this set tracks per country and year",
            "numeric (year, population, fertility), categorical (country, cluster)"),
    Dataset("barley", "regression", "yield", "vega-datasets barley.json",
            "the yield, what the trial measured (120 plots)", "categorical (variety, site), numeric (year)"),
    Dataset("population", "regression", "people", "vega-datasets population.json",
            "the head count of each census cell, the set's one measure", "numeric (year, age), categorical code (sex)"),
    Dataset("weather", "classification", "weather", "vega-datasets weather.csv",
            "the day's weather, the set's label (Seattle and New York, 5 unbalanced classes)",
            "categorical (location), date, numeric"),
]


def by_name(name):
    for d in DATASETS + HOLDOUT:
        if d.name == name:
            return d
    raise KeyError(name)


def cell(value):
    """One JSON or numpy value as CSV text: '' for missing, integers without a decimal point."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if not math.isfinite(value):
            return ""
        return str(int(value)) if value.is_integer() else repr(value)
    if hasattr(value, "item"):  # numpy scalar
        return cell(value.item())
    return str(value)


def _sklearn(loader, target, label_names=False, **kwargs):
    import sklearn.datasets as skd

    bunch = getattr(skd, loader)(**kwargs)
    header = [str(n) for n in bunch.feature_names] + [target]
    rows = []
    for x, y in zip(bunch.data, bunch.target):
        label = bunch.target_names[y] if label_names else y
        rows.append([cell(v) for v in x] + [cell(label)])
    return header, rows


def _vega_json(file, convert=None):
    with open(os.path.join(VEGA, file), encoding="utf-8") as f:
        records = json.load(f)
    header = list(records[0].keys())
    rows = []
    for r in records:
        if convert:
            r = convert(r)
        rows.append([cell(r.get(c)) for c in header])
    return header, rows


def _vega_csv(file):
    with open(os.path.join(VEGA, file), newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader)
        return header, [row for row in reader]


def _movie(record):
    # "Jun 12 1998" is a date no CSV reader types as one; written year first it is a date column for every method.
    raw = record.get("Release Date")
    if raw:
        try:
            record = dict(record, **{"Release Date": datetime.strptime(raw, "%b %d %Y").strftime("%Y-%m-%d")})
        except ValueError:
            pass
    return record


def _flights(work):
    csv_path = os.path.join(work, "flights-3m.source.csv")
    subprocess.run(["node", os.path.join(HERE, "parquet_to_csv.mjs"), os.path.join(VEGA, "flights-3m.parquet"), csv_path],
                   check=True)
    with open(csv_path, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader)
        rows = [row for row in reader]
    os.remove(csv_path)
    return header, rows


def load(name, work):
    """(header, rows) of the data set, the target among the columns."""
    loaders = {
        "diabetes": lambda: _sklearn("load_diabetes", "progression", scaled=False),
        "breast-cancer": lambda: _sklearn("load_breast_cancer", "diagnosis", label_names=True),
        "iris": lambda: _sklearn("load_iris", "species", label_names=True),
        "digits": lambda: _sklearn("load_digits", "digit"),
        "cars": lambda: _vega_json("cars.json"),
        "seattle-weather": lambda: _vega_csv("seattle-weather.csv"),
        "movies": lambda: _vega_json("movies.json", _movie),
        "penguins": lambda: _vega_json("penguins.json"),
        "birdstrikes": lambda: _vega_csv("birdstrikes.csv"),
        "flights-3m": lambda: _flights(work),
        "wine": lambda: _sklearn("load_wine", "cultivar", label_names=True),
        "gapminder": lambda: _vega_json("gapminder.json"),
        "barley": lambda: _vega_json("barley.json"),
        "population": lambda: _vega_json("population.json"),
        "weather": lambda: _vega_csv("weather.csv"),
    }
    header, rows = loaders[name]()
    target = by_name(name).target
    if target not in header:
        raise ValueError(f"{name}: target column '{target}' is not in {header}")
    if len(set(header)) != len(header):
        raise ValueError(f"{name}: duplicate column names in {header}")
    return header, rows
