#!/usr/bin/env bash
# Re-resolve the lock files (CPython 3.11 on Linux x86-64, where the suite runs) from pyproject.toml's ranges (run by `./dev lock`; arguments such as
# --upgrade or --upgrade-package NAME go to every uv call). dev.txt is resolved first and every
# other lock is constrained by it, so a package has one version in all of them.
set -euo pipefail
cd "$(dirname "$0")/.."
uv=(uv pip compile --quiet --python-version 3.11 --python-platform x86_64-manylinux_2_36 --generate-hashes "$@")
"${uv[@]}" pyproject.toml --extra cpu --extra train --extra test --extra lint --extra build --extra bench -o requirements/dev.txt
"${uv[@]}" pyproject.toml --extra cpu -c requirements/dev.txt -o requirements/app.txt
"${uv[@]}" pyproject.toml --extra gpu --extra train --extra test --extra lint --extra build --extra bench -c requirements/dev.txt -o requirements/dev-gpu.txt
"${uv[@]}" pyproject.toml --extra gpu -c requirements/dev-gpu.txt -o requirements/app-gpu.txt
