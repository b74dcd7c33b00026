#!/usr/bin/env bash
# EF Core migrations as idempotent SQL, for teams whose DBAs apply schema changes themselves (docs/DESIGN.md,
# "Schema changes as SQL"). One script per PostgreSQL DbContext in infra/sql/<name>.sql, made by
# `dotnet ef migrations script --idempotent` (safe to run on a database at any earlier migration, or twice).
#
#   tools/migration-scripts.sh                    regenerate every script (after adding a migration)
#   tools/migration-scripts.sh orchestrator       regenerate one (names: see CONTEXTS below)
#   tools/migration-scripts.sh --check            CI: fail when a model (PostgreSQL or SQLite) has changes without a
#                                                 migration, or a checked-in script differs from a fresh one
#   --no-build                                    use the Release build already there (test.sh, after its build)
#
# Needs no database: the design-time factories use placeholder connection strings. Builds once (Release), then every
# `dotnet ef` call runs with --no-build, three contexts at a time. Exit 0 with one "ok" line, else 1 naming each problem.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# name -> project folder and context class (the PostgreSQL one; its SQLite twin is Sqlite<...> in the same project).
declare -A CONTEXTS=(
  [scheduler]="src/Platform PostgresSchedulerDbContext"
  [security]="src/Platform PostgresSecurityDbContext"
  [ingest]="src/Ingest PostgresIngestDbContext"
  [orchestrator]="src/Orchestrator PostgresOrchestratorDbContext"
  [deploy]="src/Deploy PostgresDeployDbContext"
)
OUT=infra/sql

check=0 build=1 names=()
for arg in "$@"; do
  case "$arg" in
    --check) check=1 ;;
    --no-build) build=0 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) [[ -n "${CONTEXTS[$arg]:-}" ]] || { echo "tools/migration-scripts.sh: unknown context '$arg'; choose from ${!CONTEXTS[*]}" >&2; exit 64; }
       names+=("$arg") ;;
  esac
done
[[ ${#names[@]} -gt 0 ]] || mapfile -t names < <(printf '%s\n' "${!CONTEXTS[@]}" | sort)

dotnet tool restore >/dev/null
if [[ $build -eq 1 ]]; then
  projects=$(for n in "${names[@]}"; do echo "${CONTEXTS[$n]%% *}"; done | sort -u)
  for p in $projects; do dotnet build "$p" -c Release -warnaserror -v q -nologo >/dev/null || { echo "tools/migration-scripts.sh: build of $p failed" >&2; exit 1; }; done
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# One context: the pending-changes checks (--check) and a fresh script; a problem is one line in $work/<name>.problem.
one() {
  local name="$1" project context
  read -r project context <<<"${CONTEXTS[$name]}"
  local ef=(dotnet ef --project "$project" --startup-project "$project" --configuration Release --no-build)
  if [[ $check -eq 1 ]]; then
    for c in "$context" "Sqlite${context#Postgres}"; do
      if ! "${ef[@]}" migrations has-pending-model-changes --context "$c" >"$work/$name.$c.log" 2>&1; then
        echo "$c ($project) has model changes without a migration: add one (docs/DESIGN.md, 'Schema changes as SQL'): $(grep -v '^\s*$' "$work/$name.$c.log" | tail -1)" >"$work/$name.$c.problem"
      fi
    done
  fi
  if ! "${ef[@]}" migrations script --idempotent --context "$context" --output "$work/$name.sql" >"$work/$name.log" 2>&1; then
    echo "$context ($project): dotnet ef migrations script failed: $(grep -v '^\s*$' "$work/$name.log" | tail -1)" >"$work/$name.problem"
  fi
}
running=0
for n in "${names[@]}"; do
  one "$n" &
  if (( ++running >= 3 )); then wait -n; running=$((running - 1)); fi
done
wait

problems=0
for f in "$work"/*.problem; do [[ -e "$f" ]] && { sed 's/^/tools\/migration-scripts.sh: FAIL: /' "$f" >&2; problems=1; }; done
for n in "${names[@]}"; do
  [[ -s "$work/$n.sql" ]] || continue
  if [[ $check -eq 1 ]]; then
    if ! cmp -s "$work/$n.sql" "$OUT/$n.sql"; then
      echo "tools/migration-scripts.sh: FAIL: $OUT/$n.sql is not what the migrations give now: run tools/migration-scripts.sh $n and commit it" >&2
      problems=1
    fi
  else
    mkdir -p "$OUT" && cp "$work/$n.sql" "$OUT/$n.sql"
  fi
done
[[ $problems -eq 0 ]] || exit 1
if [[ $check -eq 1 ]]; then
  echo "tools/migration-scripts.sh: ok: ${names[*]}: no pending model changes; $OUT/*.sql match the migrations"
else
  echo "tools/migration-scripts.sh: ok: wrote $(printf "$OUT/%s.sql " "${names[@]}")"
fi
