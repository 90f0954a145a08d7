#!/usr/bin/env bash
# `make test`: lint, type-check, and every test in both environments; non-zero if anything fails.
set -uo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
export OIRS_TEST_MODEL_DIR="$PWD/models"
mkdir -p test-artifacts
failed=()
step() {
  local name=$1; shift
  echo; echo "=== $name"
  local start=$(date +%s)
  "$@"
  local rc=$?
  # pytest's exit 5 (no tests collected) is a failure too.
  if [ $rc -ne 0 ]; then failed+=("$name (exit $rc)"); fi
  echo "=== $name: $([ $rc -eq 0 ] && echo ok || echo "FALLÓ ($rc)") en $(( $(date +%s) - start )) s"
}
step "paquetes del sistema" scripts/system-deps.sh
step "ruff" .venv/bin/ruff check .
step "ruff format" .venv/bin/ruff format --check oirs admin
step "mypy" .venv/bin/mypy
step "entrenar modelo (si cambió)" bash -o pipefail -c 'scripts/train.sh 2>&1 | tee "$OIRS_DATA_DIR/train.log"'
step "seguridad (bandit, pip-audit)" scripts/security.sh
step "rasa data validate" .venv-bot/bin/rasa data validate --domain bot --data data/nlu data/rules data/stories --config config.yml --fail-on-warnings
step "pytest entorno bot (acciones, canales)" .venv-bot/bin/python -m pytest tests -p no:cacheprovider -q
step "pytest entorno app (núcleo, panel, e2e)" .venv/bin/python -m pytest tests -q
echo
if [ ${#failed[@]} -gt 0 ]; then
  echo "Fallaron: ${failed[*]}"
  exit 1
fi
echo "Todas las pruebas pasaron."
