#!/usr/bin/env bash
# `make bench`: every benchmark prints one JSON object; copies land in var/bench/.
# Order: the quick ones, then turns (real stack), the soak (BENCH_SOAK_MINUTES, default 30),
# and last the report (var/bench/summary.md and plots) over all results.
set -uo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
mkdir -p var/bench
status=0
late="bench/turns.py bench/soak.py bench/report.py"
scripts=$(for s in bench/*.py; do case " $late " in *" $s "*) ;; *) echo "$s" ;; esac; done)
for script in $scripts $late; do
  name=$(basename "$script" .py)
  python=.venv/bin/python
  head -5 "$script" | grep -q "bot environment" && python=.venv-bot/bin/python
  args=()
  [ "$name" = soak ] && args=(--minutes "${BENCH_SOAK_MINUTES:-30}")
  echo "=== $name" >&2
  if ! "$python" "$script" "${args[@]}" | tee "var/bench/$name.json"; then status=1; fi
done
exit $status
