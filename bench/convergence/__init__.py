# SPDX-License-Identifier: MIT
"""Convergence benchmark: hessnet's optimizers against the optimizers users would otherwise pick.

Modules: `mlp` (a NumPy reference of hessnet's network, losses, gradient and Jacobian),
`tasks` (the four problems and their CSV files), `hessnet_cli` (runs the hessnet binary),
`peers` (SciPy trust-exact / L-BFGS-B, a MATLAB-trainlm-style Levenberg-Marquardt,
scikit-learn MLPClassifier), `report` (tables and plots). Runner: `run.py`.
Benchmark-only: none of this is a dependency of hessnet.
"""
