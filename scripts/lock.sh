#!/usr/bin/env bash
# Re-resolve the lock files from pyproject.toml's ranges, for CPython 3.11 on Linux x86-64 (where
# the suite runs); run by `./dev lock`, whose arguments (--upgrade, --upgrade-package NAME) go to
# every uv call. requirements-dev.txt is resolved first and constrains every other lock, so a
# package has one version in all of them.
#   requirements.txt (-gpu)      the app            requirements-dev.txt (-gpu)  + training, tests, build
#   requirements-bootstrap.txt   pip, setuptools    requirements-tools.txt       uv, for this script
set -euo pipefail
cd "$(dirname "$0")/.."
uv=(uv pip compile --quiet --python-version 3.11 --python-platform x86_64-manylinux_2_36 --generate-hashes "$@")
all=(--extra train --extra jax --extra test --extra lint --extra build --extra bench)
"${uv[@]}" pyproject.toml --extra cpu "${all[@]}" -o requirements-dev.txt
"${uv[@]}" pyproject.toml --extra cpu -c requirements-dev.txt -o requirements.txt
"${uv[@]}" pyproject.toml --extra gpu "${all[@]}" -c requirements-dev.txt -o requirements-dev-gpu.txt
"${uv[@]}" pyproject.toml --extra gpu -c requirements-dev-gpu.txt -o requirements-gpu.txt
"${uv[@]}" requirements-bootstrap.in -c requirements-dev.txt -o requirements-bootstrap.txt
"${uv[@]}" requirements-tools.in -o requirements-tools.txt
