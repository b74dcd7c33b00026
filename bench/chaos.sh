#!/usr/bin/env bash
# The chaos suite of issue #18 against the local stack: every fault injected into a running job (a worker
# SIGKILLed mid-shard, the orchestrator process SIGKILLed, the orchestrator stopped and started, RabbitMQ, PostgreSQL
# and the S3 endpoint each down for an outage in Training and in Validating, Preprocessing and Deploying, a restart of
# everything, stale and duplicate results, 20 jobs at once), each required to end Completed with the undisturbed
# run's model bit for bit; prints the table of what each cost (docs/RELIABILITY.md, "Chaos suite").
#
#   bench/chaos.sh                  the whole suite, outages of 20 s (~15 min)
#   bench/chaos.sh --outage 90      outages of 90 s instead (any number of seconds)
#   bench/chaos.sh --ci             only the quick ones test.sh also runs (worker SIGKILL, S3 down in Training and in Preprocessing)
#
# Stops and starts the machine-wide services (infra/stack.sh stop|start): run it alone, not beside other tests.
# Writes bench/chaos/results/latest.jsonl and latest.md.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
command="bench/chaos.sh $*"
filter="Category=Chaos|Category=ChaosCi"
outage=20
while [[ $# -gt 0 ]]; do
  case "$1" in
    --ci) filter="Category=ChaosCi"; shift ;;
    --outage) outage="${2:?--outage needs seconds}"; shift 2 ;;
    *) echo "usage: $0 [--ci] [--outage SECONDS]" >&2; exit 2 ;;
  esac
done

infra/stack.sh up
set -a
# shellcheck disable=SC1091
source "${PIPELINE_STACK_STATE:-infra/.state}/stack.env"
set +a
dotnet build tests/Pipeline.Training.IntegrationTests -c Release -warnaserror --nologo -v quiet
results="bench/chaos/results"
mkdir -p "$results"
rm -f "$results/latest.jsonl"
status=0
PIPELINE_CHAOS_RESULTS="$PWD/$results/latest.jsonl" PIPELINE_CHAOS_OUTAGE_SECONDS="$outage" \
  dotnet test tests/Pipeline.Training.IntegrationTests -c Release --no-build --filter "$filter" --logger "console;verbosity=normal" || status=$?
/usr/bin/python3 bench/chaos/table.py "$results/latest.jsonl" "$command" | tee "$results/latest.md"
exit $status
