#!/usr/bin/env bash
# Security checks for `make test`: bandit (fails on high-severity findings) and pip-audit of
# requirements/app.txt, which says how many pins it really audited. When the vulnerability
# service cannot be reached, it says so instead of "no known vulnerabilities"; set
# SECURITY_STRICT=1 to fail in that case too (CI with network).
set -uo pipefail
cd "$(dirname "$0")/.."
status=0

echo "== bandit -lll (severidad alta) en oirs admin actions channels"
if .venv/bin/bandit -q -lll -r oirs admin actions channels; then
  echo "bandit: sin hallazgos de severidad alta."
else
  echo "bandit: hay hallazgos de severidad alta (ver arriba)." >&2
  status=1
fi

echo "== pip-audit de requirements/app.txt"
workdir=$(mktemp -d)
trap 'rm -rf "$workdir"' EXIT
for service in pypi osv; do
  report="$workdir/$service.json"
  .venv/bin/pip-audit -r requirements/app.txt --no-deps --disable-pip --vulnerability-service "$service" \
    --format json --progress-spinner off --timeout 15 >"$report" 2>/dev/null
  audit_rc=$?
  audited=$(.venv/bin/python - "$report" <<'PY'
import json, sys
try:
    data = json.load(open(sys.argv[1]))
except (OSError, ValueError):
    print(0); raise SystemExit
print(sum(1 for d in data.get("dependencies", []) if "skip_reason" not in d))
PY
)
  [ "$audited" -gt 0 ] && break
done
# Nothing audited anywhere: show the first service's answer (it names every skipped pin).
[ "$audited" -gt 0 ] || { service=pypi; report="$workdir/pypi.json"; }
.venv/bin/python - "$report" "$service" "$audit_rc" <<'PY'
import json, sys
path, service, rc = sys.argv[1], sys.argv[2], int(sys.argv[3])
try:
    deps = json.load(open(path)).get("dependencies", [])
except (OSError, ValueError):
    deps = []
audited = [d for d in deps if "skip_reason" not in d]
vulnerable = [d for d in audited if d.get("vulns")]
print(f"pip-audit ({service}): {len(audited)} de {len(deps)} paquetes auditados, "
      f"{sum(len(d['vulns']) for d in vulnerable)} vulnerabilidades conocidas.")
for d in vulnerable:
    ids = ", ".join(v["id"] for v in d["vulns"])
    print(f"  VULNERABLE {d['name']} {d.get('version', '')}: {ids}")
if not audited:
    print("pip-audit: NO SE PUDO AUDITAR ningún paquete (servicio de vulnerabilidades "
          "inalcanzable desde esta red); el resultado es DESCONOCIDO, no 'sin vulnerabilidades'.")
elif len(audited) < len(deps):
    skipped = [d["name"] for d in deps if "skip_reason" in d]
    print(f"pip-audit: sin auditar: {', '.join(skipped)}")
sys.exit(1 if vulnerable or (rc != 0 and audited) else (2 if not audited else 0))
PY
case $? in
  0) ;;
  2) [ "${SECURITY_STRICT:-0}" = "1" ] && status=1 ;;
  *) status=1 ;;
esac
exit $status
