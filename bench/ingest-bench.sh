#!/usr/bin/env bash
# Ingest and preprocess throughput, side by side with a plain read and ML.NET's text loader (docs/BENCHMARKS.md).
# Usage: bench/ingest-bench.sh [MEGABYTES=1024] [FOLDER=/tmp/pipeline-ingest-bench]
set -euo pipefail
MB="${1:-1024}"
DIR="${2:-/tmp/pipeline-ingest-bench}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
mkdir -p "$DIR"
dotnet build "$ROOT/bench/Pipeline.IngestBench" -c Release -o "$DIR/bin" >/dev/null
BENCH="$DIR/bin/Pipeline.IngestBench"
CSV="$DIR/houses-${MB}mb.csv"
[[ -f "$CSV" ]] || "$BENCH" generate "$CSV" "$MB"
cat "$CSV" >/dev/null # warm the page cache so every contender reads from memory
echo "| what | CSV | time | throughput | peak memory (working set) | result |"
echo "|---|---|---|---|---|---|"
for mode in read sep mlnet ingest preprocess flow; do
  "$BENCH" "$mode" "$CSV"
done
