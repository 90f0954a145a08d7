# Sourced after the database is migrated: the bot's API token for this database, made once.
if [ -z "${OIRS_API_TOKEN:-}" ]; then
  key=$(printf '%s' "${DATABASE_URL:-sqlite}" | sha256sum | cut -c1-12)
  file="$OIRS_DATA_DIR/bot-api-token.$key"
  if [ ! -s "$file" ]; then
    (umask 077; .venv/bin/oirs create-token "bot ($(hostname))" --scope bot 2>/dev/null | tail -n 1 > "$file.tmp") && mv "$file.tmp" "$file"
  fi
  export OIRS_API_TOKEN="$(cat "$file")"
fi
