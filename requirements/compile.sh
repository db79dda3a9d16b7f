#!/usr/bin/env bash
# Regenerate the hash-locked requirements files from pyproject.toml's dependencies and extras.
#
#   pip install 'uv==0.13.8'     # from PyPI
#   requirements/compile.sh      # then review the diff and commit it
#
# core.txt           the core: `vep-review check` (pre-commit, a plain CI step)
# action-check.txt   core + [github]: the Action's pull_request job, `/vep-review check` and `help`
# action-full.txt    core + [llm] + [github]: the Action's full `/vep-review`
#
# --universal: one file for every Python >= 3.11 and platform (markers instead of guesses);
# --generate-hashes: the Action installs with `pip install --require-hashes --only-binary :all:`.
# --upgrade takes the newest versions allowed; drop it to keep the pins and only add what is new.
set -euo pipefail
cd "$(dirname "$0")/.."
pyproject="${1:-pyproject.toml}"
common=(--generate-hashes --universal --python-version 3.11 --quiet --upgrade
        --custom-compile-command "requirements/compile.sh")
uv pip compile "$pyproject" "${common[@]}" -o requirements/core.txt
uv pip compile "$pyproject" --extra github "${common[@]}" -o requirements/action-check.txt
uv pip compile "$pyproject" --extra llm --extra github "${common[@]}" -o requirements/action-full.txt
