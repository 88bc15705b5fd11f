#!/usr/bin/env bash
# GPU check of varieties.learn and varieties.nn: versions, the torch/CUDA tests (learning and the
# torch modules), two CLI runs on CUDA, the two benchmarks (bench_learn, bench_nn).
#
# Usage, from the repository root (varieties need not be installed; python-flint is optional):
#
#     bash scripts/gpu_check.sh            # writes into $OUT, or a new temporary folder
#
# Written for a device machine with little time (target: under 4 minutes on an H100): every
# step has a timeout, a failing step does not stop the later ones, and the last lines list
# each step's exit status. Without CUDA the CUDA tests are skipped (-rs shows the skips) and
# the CLI runs fall back to the CPU, so the script can be tried anywhere.
#
# Files in $OUT: gpu_check.log (everything printed), pytest_torch.txt, train_default.json,
# train_projected_float32.json, bench_learn.txt, bench_nn.txt.

set -u
cd "$(dirname "$0")/.." || exit 2
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
PY="${PYTHON:-python3}"
if [ -z "${OUT:-}" ]; then
    OUT="$(mktemp -d "${TMPDIR:-/tmp}/gpu_check.XXXXXX")"
fi
mkdir -p "$OUT"
LOG="$OUT/gpu_check.log"
: >"$LOG"
START=$SECONDS
SUMMARY=()
FAILED=0

say() { printf '%s\n' "$*" | tee -a "$LOG"; }

# step NAME TIMEOUT_S OUTFILE CMD...: run CMD with a timeout, its output into the log (and
# OUTFILE unless it is "-"), and note its exit status and time.
step() {
    local name=$1 limit=$2 file=$3
    shift 3
    local t0=$SECONDS rc
    say ""
    say "=== $name ($(date +%H:%M:%S); limit ${limit}s): $*"
    if [ "$file" = "-" ]; then
        timeout "$limit" "$@" 2>&1 | tee -a "$LOG"
        rc=${PIPESTATUS[0]}
    else
        timeout "$limit" "$@" 2>&1 | tee "$OUT/$file" | tee -a "$LOG"
        rc=${PIPESTATUS[0]}
    fi
    [ "$rc" -eq 124 ] && say "!!! $name timed out after ${limit}s"
    [ "$rc" -ne 0 ] && FAILED=1
    SUMMARY+=("$(printf '%-28s rc=%-3s %4ss' "$name" "$rc" "$((SECONDS - t0))")")
}

say "gpu_check of varieties.learn in $PWD; output in $OUT"
step versions 120 - "$PY" - <<'EOF'
import importlib, platform, sys
print("python", sys.version.split()[0], platform.platform())
for mod in ("numpy", "scipy", "sympy", "pandas", "networkx", "flint", "pytest", "hypothesis",
            "torch"):
    try:
        m = importlib.import_module(mod)
        print(f"{mod:<11}", getattr(m, "__version__", "?"))
    except ImportError as exc:
        print(f"{mod:<11} not installed ({exc})")
try:
    import torch
    print("torch cuda build", torch.version.cuda, "| cuda available:", torch.cuda.is_available())
    for i in range(torch.cuda.device_count()):
        p = torch.cuda.get_device_properties(i)
        print(f"cuda:{i} {p.name}, {p.total_memory / 2**30:.1f} GiB, "
              f"capability {p.major}.{p.minor}")
except ImportError:
    pass
EOF
if command -v nvidia-smi >/dev/null 2>&1; then
    step nvidia-smi 30 - nvidia-smi --query-gpu=name,driver_version,memory.total,memory.used \
        --format=csv
else
    say "nvidia-smi: not found"
fi

# Tests marked torch (the CUDA ones among them skip without a GPU). test_learn_properties.py
# holds no torch tests and needs hypothesis, which a bare GPU machine may lack; any other
# module that fails to import is reported as an error while the rest still run.
HAVE_HYPOTHESIS=yes
if ! "$PY" -c "import hypothesis" >/dev/null 2>&1; then
    HAVE_HYPOTHESIS=no
    say "hypothesis is not installed: leaving out tests/test_learn_properties.py (no torch tests)"
fi
TESTS=()
for f in tests/test_learn_*.py tests/test_nn*.py; do
    [ "$f" = tests/test_learn_properties.py ] && [ "$HAVE_HYPOTHESIS" = no ] && continue
    TESTS+=("$f")
done
if "$PY" -c "import pytest" >/dev/null 2>&1; then
    step "pytest -m torch" 200 pytest_torch.txt "$PY" -m pytest -p no:cacheprovider \
        -m torch -rs --continue-on-collection-errors "${TESTS[@]}"
else
    say "!!! pytest is not installed: no tests; the CLI runs and bench_learn below still"
    say "    exercise CUDA training and the power-sum kernels (with max_abs_diff against numpy)"
    FAILED=1
fi

DEVICE=$("$PY" -c "import torch; print('cuda' if torch.cuda.is_available() else 'cpu')" \
         2>/dev/null || echo none)
say ""
say "device for the CLI runs: $DEVICE"
if [ "$DEVICE" = none ]; then
    say "!!! torch is not importable: skipping the CLI runs and the torch benchmarks"
    FAILED=1
else
    [ "$DEVICE" = cpu ] && say "(no CUDA: the runs below use the CPU and check nothing about GPUs)"
    # No --device: the default must pick cuda when there is one (the JSON says which).
    step "train default device" 120 train_default.json "$PY" -m varieties train 4,q4,q1 \
        --backend torch --steps 300 --seed 1 --json
    step "train projected float32" 120 train_projected_float32.json "$PY" -m varieties train \
        4,q4,q1 --method projected --backend torch --device "$DEVICE" --dtype float32 \
        --steps 100 --seed 1 --json
    step "check JSON" 30 - "$PY" - "$OUT" "$DEVICE" <<'EOF'
import json, pathlib, sys
out, device = pathlib.Path(sys.argv[1]), sys.argv[2]
bad = []
for name, dtype in (("train_default.json", "float64"), ("train_projected_float32.json", "float32")):
    try:
        r = json.loads((out / name).read_text())
    except (OSError, ValueError) as exc:
        bad.append(f"{name}: no JSON ({exc})")
        continue
    hist = r["invariance_history"]
    print(f"{name}: {r['backend']}/{r['device']} {r['dtype']} {r['method']}, {r['steps']} "
          f"steps, train loss {r['train_loss'][0]:.4g} -> {r['train_loss'][-1]:.4g}, test "
          f"{r['test_loss']:.4g}, max invariance {max(hist, default=0.0):.3g}, "
          f"{r['steps_per_second']:.1f} steps/s, {r['status']}")
    if not r["device"].startswith(device):
        bad.append(f"{name}: ran on {r['device']}, expected {device}")
    if r["dtype"] != dtype or r["status"] != "ok":
        bad.append(f"{name}: dtype {r['dtype']}, status {r['status']} {r['message']}")
    if max(hist, default=0.0) >= 1e-9 or len(hist) != r["steps"]:
        bad.append(f"{name}: invariance history {len(hist)} entries, max {max(hist, default=0)}")
print("JSON checks:", "ok" if not bad else "FAILED\n  " + "\n  ".join(bad))
sys.exit(1 if bad else 0)
EOF
fi

# Small enough for the budget: one repetition, few steps, the O(n^3) dense kernels timed on
# 32 rows (the script scales the time to the batch and says so).
step "bench_learn" 150 bench_learn.txt "$PY" scripts/bench_learn.py --reps 1 --steps 20 \
    --n 256 --batch 4096 --dense-rows 32
# varieties.nn: module forward against the dense evaluator, the 256-wide layer against a dense
# quadratic nn.Linear, projected steps numpy / torch cpu / torch cuda (and cuda with gesvdj).
step "bench_nn" 200 bench_nn.txt "$PY" scripts/bench_nn.py --reps 3 --steps 10 \
    --n 256 --batch 4096 --dense-rows 4096 --threads 8

say ""
say "=== summary ($((SECONDS - START)) s in all; files in $OUT)"
for line in "${SUMMARY[@]}"; do say "$line"; done
say "$([ "$FAILED" -eq 0 ] && echo 'all steps passed' || echo 'SOME STEPS FAILED')"
exit "$FAILED"
