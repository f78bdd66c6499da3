#!/bin/sh
# nashra beside Hugo on the benchmark corpus: benches/compare.sh [N…] (default 1000 10000).
# Installs Debian's hugo when missing, builds nashra in release, then runs compare.py, which
# prints one table per N and output place. Installs npm's pagefind (the crate's version) into
# target/bench-tools for the search-cost line. Environment: RUNS (default 3), PLACES ("tmpfs
# disk"), FULL (1: also the default theme with everything on), ZOLA (a zola binary to add),
# CORPORA (where corpora are kept; default /dev/shm/nashra-bench-corpora), BENCH_DIR (the
# disk outputs; default target/bench-compare), GEN_CORPUS.
set -eu
cd "$(dirname "$0")/.."
if ! command -v hugo >/dev/null; then
    sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
    $sudo apt-get install -y hugo >/dev/null
fi
[ -x /usr/bin/time ] || { sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo; $sudo apt-get install -y time >/dev/null; }
# Pagefind's CLI, the version the pagefind crate is (its binary comes in an npm package).
pagefind=$(sed -n '/^name = "pagefind"$/{n;s/version = "\(.*\)"/\1/p}' Cargo.lock)
if [ ! -x target/bench-tools/node_modules/.bin/pagefind ]; then
    npm install --silent --no-audit --no-fund --prefix target/bench-tools "pagefind@$pagefind"
fi
cargo build --release --quiet
hugo version
exec python3 benches/compare.py "$@"
