#!/usr/bin/python3
"""Renders the chaos suite's JSON lines (one per fault, written by tests/Pipeline.Training.IntegrationTests/Chaos) as
the markdown table of docs/RELIABILITY.md."""

import json
import subprocess
import sys
from datetime import datetime, timezone


def cell(value, digits=1):
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "**no**"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def main(path, command):
    with open(path, encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False).stdout.strip()
    except OSError:
        commit = "?"
    print(f"Run {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC on commit `{commit}`: `{command.strip()}`. Job: 60,000 rows, "
          "2 shards, 6 rounds, two TrainWorker processes (which also merge), the saga in the test process (in an Orchestrator "
          "process of its own for the SIGKILL row).")
    print()
    print("| fault | job state at the fault | final state | recovery s | job s | shard trainings beyond the undisturbed run "
          "| lost or duplicated | model identical to the undisturbed run |")
    print("|---|---|---|---:|---:|---:|---|---|")
    for r in rows:
        print(f"| {r['fault']} | {r['jobStateAtFault']} | {r['finalState']} | {cell(r['recoverySeconds'])} | {cell(r['jobSeconds'])} "
              f"| {r['shardTrainingsBeyondUndisturbed']} | {r['lostOrDuplicated']} | {cell(r['identicalToUndisturbed'])} |")
    print()
    print("recovery s: from the fault's end (the worker killed, the service started again, the orchestrator back) to the "
          "next round merged; for a fault in Validating, Preprocessing or Deploying, to the job leaving that state.")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "bench/chaos.sh")
