#!/usr/bin/env bash
# The layering rule of docs/DESIGN.md, checked on project references and `using` lines:
#   Contracts, Numerics          reference nothing of ours (Numerics is self-contained)
#   Tabular                      Contracts, Numerics
#   Platform                     Contracts
#   Client                       Contracts (a library for callers of the HTTP API)
#   services (Ingest, Preprocess, TrainWorker, Orchestrator, Deploy)
#                                Contracts, Numerics, Tabular, Platform; never another service
#   Cli                          anything (it hosts the services)
# Exit 0 with one "ok" line, or 1 with one line per breach. Runs in well under a second; test.sh runs it first.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../src"

declare -A allowed=(
  [Contracts]=""
  [Numerics]=""
  [Tabular]="Contracts Numerics"
  [Platform]="Contracts"
  [Client]="Contracts"
  [Ingest]="Contracts Numerics Tabular Platform"
  [Preprocess]="Contracts Numerics Tabular Platform"
  [TrainWorker]="Contracts Numerics Tabular Platform"
  [Orchestrator]="Contracts Numerics Tabular Platform"
  [Deploy]="Contracts Numerics Tabular Platform"
)

problems=0
for project in "${!allowed[@]}"; do
  [[ -f "$project/$project.csproj" ]] || { echo "check-layers: src/$project/$project.csproj is missing" >&2; problems=1; continue; }
  # Project references.
  while read -r ref; do
    [[ -z "$ref" ]] && continue
    if [[ " ${allowed[$project]} " != *" $ref "* ]]; then
      echo "check-layers: src/$project references src/$ref (allowed: ${allowed[$project]:-nothing})" >&2
      problems=1
    fi
  done < <(grep -o 'Include="\.\.\\[A-Za-z]*\\' "$project/$project.csproj" | sed 's/Include="\.\.\\//; s/\\$//' || true)
  # Namespaces of other projects named in the code (a reference could come in transitively).
  for other in "${!allowed[@]}" Cli; do
    [[ "$other" == "$project" ]] && continue
    [[ " ${allowed[$project]} " == *" $other "* ]] && continue
    if hits=$(grep -rnE "^\s*using (static )?Pipeline\.$other(\.|;)|[^A-Za-z.]Pipeline\.$other\." "$project" --include='*.cs' --exclude-dir=obj --exclude-dir=bin --exclude-dir=Migrations); then
      while IFS= read -r hit; do
        echo "check-layers: src/$hit uses Pipeline.$other" >&2
      done <<< "$hits"
      problems=1
    fi
  done
done

if [[ $problems -ne 0 ]]; then
  exit 1
fi
echo "check-layers: ok (no service references another service; Tabular, Platform, Numerics and Contracts stay below them)"
