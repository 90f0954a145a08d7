#!/usr/bin/env bash
# `make bench`: every benchmark prints one JSON object; copies land in var/bench/.
set -uo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
mkdir -p var/bench
status=0
for script in bench/*.py; do
  name=$(basename "$script" .py)
  python=.venv/bin/python
  head -5 "$script" | grep -q "bot environment" && python=.venv-bot/bin/python
  echo "=== $name" >&2
  if ! "$python" "$script" | tee "var/bench/$name.json"; then status=1; fi
done
exit $status
