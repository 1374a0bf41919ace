#!/usr/bin/env bash
# Creates (or reuses) the pinned Python environment of the peers: NannyML, Evidently, numpy/scipy.
# Prints the path of its python on stdout; progress goes to stderr.
#
# The venv lives in .venv-peers/ at the repository root (git-ignored; VIGIL_PEERS_VENV moves it).
# It is reused when the sha256 of requirements.txt equals the one stored in the venv after the last
# successful install, and rebuilt from scratch otherwise (a half-finished install stores no hash, so
# it is rebuilt too). Everything is pinned, so pip runs with --no-deps: no resolver, no surprises.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="${VIGIL_PEERS_VENV:-$root/.venv-peers}"
req="$here/requirements.txt"
want="$(sha256sum "$req" | cut -d' ' -f1)"
stamp="$venv/.requirements.sha256"

# Several jest workers (and a bench) may ask at once on a fresh clone: one installs, the others wait.
exec 9>"$venv.lock"
flock 9

if [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  echo "$venv/bin/python"
  exit 0
fi

py="${PYTHON:-python3}"
if ! "$py" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else 1)'; then
  echo "bench/peers/env.sh: $py is $("$py" --version 2>&1); the pins in bench/peers/requirements.txt are for Python 3.11" >&2
  exit 2
fi
echo "bench/peers/env.sh: installing the peers' venv in $venv (first time: ~2-4 min, ~1.9 GB)" >&2
rm -rf "$venv"
"$py" -m venv "$venv"
"$venv/bin/python" -m pip install -q --disable-pip-version-check --no-deps --no-input -r "$req" >&2
# Import what the tests and the bench use, so a broken wheel fails here and not mid-suite.
"$venv/bin/python" -W ignore -c 'import numpy, scipy, pandas, sklearn, lightgbm, nannyml, evidently' >&2
echo "$want" > "$stamp"
echo "$venv/bin/python"
