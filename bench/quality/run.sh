#!/usr/bin/env bash
# Learning-quality report: the pipeline (`pipeline demo`, default settings) against scikit-learn's MLP and
# HistGradientBoosting, the demo's ML.NET baseline and a trivial predictor, on public data sets from packages
# (scikit-learn's bundled files, npm vega-datasets), each split once 80/20 with a seed and scored on the same
# held-out rows. Writes bench/quality/results/latest.md and latest.json. See docs/BENCHMARKS.md, "Learning quality".
#
# usage: bench/quality/run.sh [--quick] [--only NAME,...] [--seed N] [--no-build] [other quality.py options]
#   --quick     skip the 1M+ row set (flights-3m)
#   --only      only these data sets (names in bench/quality/datasets.py)
#   --seed      split, scikit-learn and demo seed (default 42)
#   --no-build  use the CLI already built in src/Cli/bin/Release
#   --seeds 1,2,3  one report per seed, then mean ± sd per data set (seeds.py; results/seeds.md)
#   --set "K=V ..."  settings for every demo run (as `pipeline demo --set`), to measure one against the automatic plan
#   --holdout   the hold-out sets (datasets.py HOLDOUT: wine, gapminder, barley, population, weather) instead of the
#               report's, to check on data no default was chosen on a change measured on the report
# Needs: the .NET SDK, node and npm, Debian's python3-sklearn (/usr/bin/python3).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
python=/usr/bin/python3

die() { echo "bench/quality/run.sh: $*" >&2; exit 2; }

build=1
args=()
for arg in "$@"; do
  case "$arg" in
    --no-build) build=0 ;;
    -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) args+=("$arg") ;;
  esac
done

[[ -x "$python" ]] || die "$python not found (Debian's python3 with python3-sklearn)"
"$python" -c 'import sklearn, numpy, scipy' 2>/dev/null \
  || die "scikit-learn missing for $python: apt-get install -y --no-install-recommends python3-sklearn"
for tool in node npm dotnet; do
  command -v "$tool" >/dev/null || die "$tool not found on PATH"
done

# The data packages, exact versions in package.json (no lock file: .npmrc); installed when the tree does not match.
if ! (cd "$here" && npm ls --silent >/dev/null 2>&1); then
  echo "installing the npm data packages into bench/quality/node_modules" >&2
  (cd "$here" && npm install --no-audit --no-fund --loglevel=error) || die "npm install failed in $here"
fi

if [[ "$build" == 1 ]]; then
  echo "building the CLI (Release)" >&2
  dotnet build "$root/src/Cli/Cli.csproj" -c Release -v q -nologo >&2 || die "dotnet build failed"
fi

cd "$root"
if [[ " ${args[*]-} " == *" --seeds "* ]]; then
  exec "$python" "$here/seeds.py" "${args[@]}"
fi
exec "$python" "$here/quality.py" "${args[@]+"${args[@]}"}"
