#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The convergence benchmark (bench/convergence/): hessnet's optimizers against SciPy
# trust-exact / L-BFGS-B, a MATLAB-trainlm-style Levenberg-Marquardt and scikit-learn, all
# from the same initial model, on one process. Builds nothing: it runs build/hessnet (or
# --hessnet PATH) as it is. Needs Debian's python3-numpy, -matplotlib, -scipy, -sklearn and
# -torch (scripts/install-deps.sh --bench); writes the data first if it is missing.
# Usage: scripts/convergence.sh [run.py options]   e.g. --quick, --check, --out report.md
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
python=/usr/bin/python3
export PYTHONDONTWRITEBYTECODE=1  # leave no __pycache__ in the tree
if [ ! -f "$root/data/fit1d-train.csv" ]; then "$python" "$root/scripts/make_convergence_data.py"; fi
exec "$python" "$root/bench/convergence/run.py" "$@"
