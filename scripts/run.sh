#!/usr/bin/env bash
# `make run`: migrate, seed the demo once, train if needed, then start every service under honcho.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
echo "Migrando la base de datos (${DATABASE_URL:-SQLite en var/oirs.db})..."
.venv/bin/oirs db upgrade
if [ "${OIRS_ENV:-development}" != production ] && [ ! -f "$OIRS_DATA_DIR/.demo-seeded" ]; then
  .venv/bin/oirs seed-demo
  touch "$OIRS_DATA_DIR/.demo-seeded"
else
  .venv/bin/oirs seed-demo >/dev/null
fi
. scripts/bot-token.sh
scripts/train.sh
echo "Iniciando panel (8000), Rasa (5005) y servidor de acciones (5055); registros en $OIRS_LOG_DIR/"
exec .venv/bin/honcho start -f Procfile
