#!/usr/bin/env bash
# Debian packages the tests need: Chromium for browser tests, Pango for PDF letters.
set -u
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium chromium-driver)
ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0 || need+=(libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "Faltan paquetes del sistema: ${need[*]} (instálelos como root con apt-get)." >&2
  exit 1
fi
echo "Instalando paquetes del sistema: ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq && apt-get install -y -qq "${need[@]}" >/dev/null
