# Sourced by run.sh and test.sh: read .env, then set development defaults for what is unset.
set -a
[ -f .env ] && . ./.env
set +a
export SQLALCHEMY_SILENCE_UBER_WARNING=1
export OIRS_DATA_DIR="${OIRS_DATA_DIR:-$PWD/var}"
export OIRS_API_URL="${OIRS_API_URL:-http://127.0.0.1:8000}"
export OIRS_PUBLIC_URL="${OIRS_PUBLIC_URL:-http://127.0.0.1:8000}"
# rasa-sdk reads SANIC_HOST: keep the action server on loopback.
export SANIC_HOST="${SANIC_HOST:-127.0.0.1}"
# Largest request body Rasa accepts (provider webhooks are small; media are fetched apart).
# Only the Rasa process gets it (Procfile): the action server receives whole trackers.
export OIRS_RASA_MAX_BODY_BYTES="${OIRS_RASA_MAX_BODY_BYTES:-1000000}"
export OIRS_RASA_URL="${OIRS_RASA_URL:-http://127.0.0.1:5005}"
export RASA_ACTION_ENDPOINT_URL="${RASA_ACTION_ENDPOINT_URL:-http://127.0.0.1:5055/webhook}"
# Rasa's conversations: SQLite file by default, PostgreSQL when RASA_TRACKER_DIALECT=postgresql.
export RASA_TRACKER_DIALECT="${RASA_TRACKER_DIALECT:-sqlite}"
export RASA_TRACKER_URL="${RASA_TRACKER_URL:-sqlite:///$OIRS_DATA_DIR/rasa/tracker.db}"
export RASA_LOCK_STORE="${RASA_LOCK_STORE:-in_memory}"
export REDIS_HOST="${REDIS_HOST:-127.0.0.1}"
export REDIS_PORT="${REDIS_PORT:-6379}"
export REDIS_LOCK_DB="${REDIS_LOCK_DB:-1}"
mkdir -p "$OIRS_DATA_DIR/log" "$OIRS_DATA_DIR/rasa"
export OIRS_LOG_DIR="$OIRS_DATA_DIR/log"
if [ -z "${RASA_AUTH_TOKEN:-}" ]; then
  [ -s "$OIRS_DATA_DIR/rasa-auth-token" ] || (umask 077; .venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(24))' > "$OIRS_DATA_DIR/rasa-auth-token")
  export RASA_AUTH_TOKEN="$(cat "$OIRS_DATA_DIR/rasa-auth-token")"
fi
