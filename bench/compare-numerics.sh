#!/usr/bin/env bash
# Side-by-side benchmark of the Pipeline.Numerics engine against the references a user would pick instead:
# OpenBLAS sgemm (through NumPy), PyTorch and scikit-learn (Debian packages). Ours and the references run in
# alternation, ROUNDS times each, and the best run of each is kept (both sides treated alike), so a noisy
# shared machine hurts both equally; then GEMM again with OpenBLAS loaded into our process (`gemm-paired`), paired
# rounds on the same operands. Writes the "Numerics" section of docs/BENCHMARKS.md.
#
# usage: bench/compare-numerics.sh [--quick]     (ROUNDS=2 THREADS="1 2" by default; --quick: smaller runs)
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS="${ROUNDS:-2}"
THREADS="${THREADS:-1 2}"
QUICK=0
[[ "${1:-}" == "--quick" ]] && QUICK=1
PY=/usr/bin/python3   # Debian's python, where python3-torch / python3-sklearn live (not a pyenv shim)

if ! "$PY" -c "import torch, sklearn, numpy" 2>/dev/null || ! dpkg -s libopenblas-dev >/dev/null 2>&1; then
  echo "installing the Debian references (python3-torch python3-sklearn libopenblas-dev)..." >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-torch python3-sklearn libopenblas-dev >&2
fi

# Debian 12's OpenBLAS 0.3.21 does not recognise this CPU (Sapphire Rapids) and falls back to its Prescott
# (SSE3) kernels at ~31 GFLOP/s; SkylakeX is its fastest kernel that runs here (AVX-512), so we compare
# against that. PyTorch and scikit-learn get the same OpenBLAS.
export OPENBLAS_CORETYPE="${OPENBLAS_CORETYPE:-SkylakeX}"

dotnet build bench/Pipeline.Bench -c Release -v quiet -nologo >&2
OURS=bench/Pipeline.Bench/bin/Release/net10.0/Pipeline.Bench
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

seed_rows=1000000; wide_rows=200000; gemm_seconds=3
if [[ $QUICK == 1 ]]; then seed_rows=200000; wide_rows=20000; gemm_seconds=1; fi

ref() { # threads, args...
  local t=$1; shift
  OPENBLAS_NUM_THREADS=$t OMP_NUM_THREADS=$t MKL_NUM_THREADS=$t "$PY" bench/reference_numerics.py "$@" --threads "$t"
}

# Ours first in odd rounds, the references first in even ones: a machine that slows down or speeds up over a
# round then favours neither side (the table pairs runs by round, whatever their order).
in_turn() { # round, our command, reference commands...
  local round=$1 ours=$2; shift 2
  if (( round % 2 == 1 )); then eval "$ours"; fi
  local r; for r in "$@"; do eval "$r"; done
  if (( round % 2 == 0 )); then eval "$ours"; fi
}

for round in $(seq "$ROUNDS"); do
  for t in $THREADS; do
    for n in 1024 2048; do
      echo "round $round: gemm N=$n threads=$t" >&2
      in_turn "$round" '"$OURS" gemm --size "$n" --threads "$t" --seconds "$gemm_seconds" --json >>"$OUT/results.jsonl"' \
        'ref "$t" gemm --size "$n" --seconds "$gemm_seconds" >>"$OUT/results.jsonl"'
    done
    echo "round $round: mlp seed threads=$t" >&2
    in_turn "$round" '"$OURS" mlp --preset seed --threads "$t" --rows "$seed_rows" --json >>"$OUT/results.jsonl"' \
      'ref "$t" torch --preset seed --rows "$seed_rows" >>"$OUT/results.jsonl"' \
      'ref "$t" sklearn --preset seed --rows "$seed_rows" >>"$OUT/results.jsonl"'
    echo "round $round: mlp wide threads=$t" >&2
    in_turn "$round" '"$OURS" mlp --preset wide --threads "$t" --rows "$wide_rows" --json >>"$OUT/results.jsonl"' \
      'ref "$t" torch --preset wide --rows "$wide_rows" >>"$OUT/results.jsonl"'
  done
done

# GEMM once more with OpenBLAS loaded into our process: paired rounds in one process, alternating, on the same
# operands (between processes this machine varies by more than the engines differ).
for t in $THREADS; do
  for n in 1024 2048; do
    echo "paired: gemm N=$n threads=$t" >&2
    OPENBLAS_NUM_THREADS=$t "$OURS" gemm-paired --size "$n" --threads "$t" --rounds $((ROUNDS * 3)) >>"$OUT/results.jsonl"
  done
done

cp "$OUT/results.jsonl" "${RESULTS_COPY:-/dev/null}" 2>/dev/null || true
COMMAND="ROUNDS=$ROUNDS THREADS=\"$THREADS\" bench/compare-numerics.sh${1:+ $1}"
"$PY" bench/numerics_table.py "$OUT/results.jsonl" "$COMMAND" docs/BENCHMARKS.md
