#!/usr/bin/env bash
# The bare install, as a new user gets it: `pip install .` (no extras) into a
# fresh venv, then every subcommand once. CI runs it (.ci/run) before the suite.
# Usage: bash scripts/smoke_install.sh [VENV_DIR]   (default: a temporary folder)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-python3}
venv=${1:-$(mktemp -d)/venv}
work=$(mktemp -d)
"$PY" -m venv "$venv"
"$venv/bin/pip" install -q --upgrade pip >/dev/null 2>&1 || true
"$venv/bin/pip" install -q . 2>&1 | grep -v "^WARNING: Location" || true
V="$venv/bin/varieties"
# Nothing optional may be there: these are the declared dependencies only.
"$venv/bin/python" - <<'PYEOF'
import importlib.util, sys
extra = [m for m in ("torch", "matplotlib", "distributed", "pytest") if importlib.util.find_spec(m)]
if extra:
    sys.exit(f"smoke: the bare venv has optional packages {extra}; it must not")
PYEOF
run() {
    echo "smoke: varieties $*"
    (cd "$work" && "$V" "$@" >"$work/out" 2>"$work/err") || {
        code=$?; echo "smoke: FAILED (exit $code): varieties $*"; cat "$work/err"; exit 1; }
    if grep -q Traceback "$work/err"; then echo "smoke: traceback from varieties $*"; cat "$work/err"; exit 1; fi
}
json() {  # the command's standard output must be one JSON document
    "$venv/bin/python" -c 'import json,sys; json.load(open(sys.argv[1]))' "$work/out" \
        || { echo "smoke: varieties $* did not print JSON"; exit 1; }
}
run constraints 3,q3,q1 --json; json
run tying 4,q4 --json; json
run analyze 2,q2,q1 --json; json
run analyze 3,l5^4,l1 --kind none --json; json
run train 3,q3,q1 --method tied --steps 5
cat >"$work/tiny.toml" <<'TOML'
[[sweep]]
name = "tiny"
task = "constraint_row"
output = "tiny.csv"
timeout = 60
[[sweep.grid]]
n = [2, 3]
layer = ["l", "q"]
kind = ["invariant", "equivariant"]
spec = "{n},{layer}{out}"
TOML
run sweep tiny.toml --out sweep-out --no-progress
test "$(wc -l <"$work/sweep-out/tiny.csv")" -eq 9 || { echo "smoke: the sweep wrote no 8 rows"; exit 1; }
if "$V" --help | grep -q neurovariety; then
    run neurovariety 3,l5^4,l1 --json; json
fi
# Bad input: one line on standard error, exit 2, no traceback.
set +e
(cd "$work" && "$V" analyze 2,x9 >/dev/null 2>"$work/err"); code=$?
set -e
if [ "$code" -ne 2 ] || grep -q Traceback "$work/err" || [ "$(wc -l <"$work/err")" -ne 1 ]; then
    echo "smoke: bad input gave exit $code:"; cat "$work/err"; exit 1
fi
echo "smoke: the bare install runs every subcommand"
