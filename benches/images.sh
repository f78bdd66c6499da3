#!/bin/sh
# nashra's photo pipeline beside Hugo's: benches/images.sh (see benches/images/compare.py).
# Installs Debian's hugo (and time) when missing, numpy and Pillow for the photo generator
# into PYDEPS (default /tmp/nashra-bench-py, outside the repository), builds nashra in
# release, then runs compare.py. Environment: RUNS (3), N (200), AVIF_N (50), AVIF_RUNS (1),
# WARM_N (1000), WARM_AVIF_SPEED (10), WARM_REUSE,
# WEIGHT (1), STEPS ("cold warm weight"), CORPORA, OUT, CARGO_TARGET_DIR.
set -eu
cd "$(dirname "$0")/.."
sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
command -v hugo >/dev/null || $sudo apt-get install -y hugo >/dev/null
[ -x /usr/bin/time ] || $sudo apt-get install -y time >/dev/null
PYDEPS=${PYDEPS:-/tmp/nashra-bench-py}
PYTHONPATH="$PYDEPS${PYTHONPATH:+:$PYTHONPATH}" python3 -c 'import numpy, PIL' 2>/dev/null ||
    python3 -m pip install --quiet --target "$PYDEPS" numpy pillow
export PYTHONPATH="$PYDEPS${PYTHONPATH:+:$PYTHONPATH}"
cargo build --release --quiet
export NASHRA="${CARGO_TARGET_DIR:-target}/release/nashra"
case $NASHRA in /*) ;; *) NASHRA="$PWD/$NASHRA" ;; esac
hugo version
"$NASHRA" --version 2>/dev/null || true
exec python3 benches/images/compare.py "$@"
