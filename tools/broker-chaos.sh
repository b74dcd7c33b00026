#!/usr/bin/env bash
# Runs the broker restart test (A_RabbitMQ_restart_in_the_middle_of_a_job_loses_nothing) RUNS times, each with
# CYCLES extra `rabbitmqctl stop_app / start_app` cycles (DOWN s down, UP s up) starting START s into the run, and
# counts how the runs ended and what the consumer watchdog did (docs/RELIABILITY.md, "A lost consumer").
# Needs the local stack (infra/stack.sh up), a Release build and root (rabbitmqctl). Restarts the shared broker:
# run nothing else against it meanwhile.
#   tools/broker-chaos.sh [RUNS]            env: CYCLES=4 START=9 DOWN=2 UP=3 TIMEOUT=330
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-6}
cycles=${CYCLES:-4} start=${START:-9} down=${DOWN:-2} up=${UP:-3}
logs=$(mktemp -d /tmp/broker-chaos-XXXX)
set -a
# shellcheck disable=SC1091
source "${PIPELINE_STACK_STATE:-infra/.state}/stack.env"
set +a

passed=0 failed=0 mended=0
for run in $(seq 1 "$runs"); do
  (
    sleep "$start"
    for _ in $(seq 1 "$cycles"); do
      rabbitmqctl stop_app >/dev/null; sleep "$down"; rabbitmqctl start_app >/dev/null; sleep "$up"
    done
  ) &
  chaos=$!
  log="$logs/run$run.log"
  timeout "${TIMEOUT:-330}" dotnet test tests/Pipeline.Training.IntegrationTests -c Release --no-build \
    --filter "Category=BrokerRestart" --logger "console;verbosity=detailed" >"$log" 2>&1 || true
  wait "$chaos" || true
  rabbitmqctl start_app >/dev/null 2>&1 || true
  closes=$(grep -c "Consumer watchdog closed [1-9]" "$log" || true)
  if grep -q "^  Passed " "$log"; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
  [ "$closes" -gt 0 ] && mended=$((mended + 1))
  echo "run $run: $(grep -oE '^  (Passed|Failed) [^[]*\[[^]]*\]' "$log" | sed 's/Pipeline.*TrainingFaultTests.//' || echo 'no result (timeout)'); watchdog closes: $closes"
done
echo "runs $runs: passed $passed, failed $failed; runs where the watchdog closed the connection: $mended (logs: $logs)"
