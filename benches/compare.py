#!/usr/bin/env python3
"""nashra beside Hugo (and Zola when ZOLA=path is given) on the same synthetic corpus.

Run through benches/compare.sh, which installs Hugo and builds nashra first. For each N the
corpus is generated once per tool (../shared/bench/gen_corpus.py); then, for each place the
output goes (tmpfs and the ordinary disk), every configuration is built RUNS times in turn
(after one warm-up round), each a clean build into a fresh output folder, timed as a whole
process with /usr/bin/time. The table gives the median wall time (min-max), peak RSS, HTML
pages written and the ratio to Hugo of the same minify setting in the same run, and the
floor: `cp -r` of Hugo's output tree. With FULL, the default theme with everything on is
built with search, without it, and without its social cards, each cold (no build cache),
and Pagefind's CLI indexes the output built without search, so the lines under the table set
what search adds to a build beside what the CLI takes, and what cards add; right after the
cold build with search, two rebuilds into its folder with the build cache it wrote are
timed: nothing changed, then one Arabic article added.
"""

import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
GEN = Path(os.environ.get("GEN_CORPUS", REPO.parent / "shared/bench/gen_corpus.py"))
PEERS = GEN.parent / "peers"
NASHRA = REPO / "target/release/nashra"
RUNS = int(os.environ.get("RUNS", "3"))
PLACES = os.environ.get("PLACES", "tmpfs disk").split()
WORK = Path(os.environ.get("BENCH_DIR", REPO / "target/bench-compare"))
# The corpora are read from tmpfs: on a machine that pages out memory unused for a minute
# (DAMON reclaim, as on this VM), a corpus in the page cache is gone again by the time its
# tool's next run comes round, and the runs measure the disk instead of the tools.
CORPORA = Path(os.environ.get("CORPORA", "/dev/shm/nashra-bench-corpora"))
FULL = os.environ.get("FULL", "1") == "1"
# Pagefind's CLI, from npm (pinned to the crate's version by compare.sh).
PAGEFIND = Path(os.environ.get("PAGEFIND", REPO / "target/bench-tools/node_modules/.bin/pagefind"))
PAGEFIND_ROW = "pagefind CLI over full, search off"
CARDS_OFF = "nashra full, no social cards"


def corpus(n, fmt):
    """The corpus of `n` stories for `fmt`, generated once and kept under CORPORA."""
    site = CORPORA / f"{fmt}-{n}"
    if not (site / ".done").exists():
        shutil.rmtree(site, ignore_errors=True)
        subprocess.run([sys.executable, GEN, str(n), site, fmt], check=True, stdout=subprocess.DEVNULL)
        (site / ".done").touch()
    return site


def nashra_site(n, name, setup):
    """A nashra site: the nashra corpus's content (copied once) plus what `setup` adds (again
    on every run, so the theme and config measured are the repository's current ones)."""
    site = CORPORA / f"nashra-{name}-{n}"
    if not (site / ".done").exists():
        shutil.rmtree(site, ignore_errors=True)
        shutil.copytree(corpus(n, "nashra"), site)
        (site / ".done").touch()
    shutil.rmtree(site / "themes", ignore_errors=True)
    setup(site)
    return site


def bench_site(site, minify):
    shutil.copytree(REPO / "benches/site", site, dirs_exist_ok=True)
    config = site / "nashra.toml"
    text = config.read_text()
    config.write_text(text.replace("minify = true", f"minify = {'true' if minify else 'false'}"))


def full_site(site, search=True, cards=True):
    """The default theme with everything on: editions, sitemap, search, feeds, bidi, dates,
    social cards (without search when `search` is false, to measure what search adds; without
    the theme's `[card]` table when `cards` is false, to measure what cards add)."""
    shutil.copytree(REPO / "themes/default", site / "themes/default")
    if not cards:
        meta = site / "themes/default/theme.toml"
        # The table runs to the next table's header (a `[` and a letter at a line's start).
        table = re.compile(r"^\[card\]\n(?:(?!\[[A-Za-z]).*\n?)*", re.MULTILINE)
        meta.write_text(table.sub("", meta.read_text()))
    config = (REPO / "benches/full.toml").read_text()
    if not search:
        config = config.replace("search = true", "search = false")
    (site / "nashra.toml").write_text(config)
    shutil.copytree(REPO / "benches/site/content", site / "content", dirs_exist_ok=True)


def timed(command, out, fresh=True):
    """Runs `command` (a build into `out`, clean unless not `fresh`) and returns (wall s, peak
    MiB, HTML pages)."""
    if fresh:
        shutil.rmtree(out, ignore_errors=True)
    with tempfile.NamedTemporaryFile("r") as stats:
        subprocess.run(
            ["/usr/bin/time", "-f", "%e %M", "-o", stats.name, *command],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wall, rss = stats.read().split()[-2:]
    pages = sum(1 for _ in Path(out).rglob("*.html"))
    return float(wall), int(rss) / 1024, pages


def configurations(n, base):
    """(name, minify, command for an output folder) of each tool and setting."""
    hugo = corpus(n, "hugo")
    on = nashra_site(n, "bench", lambda s: bench_site(s, True))
    off = nashra_site(n, "bench-nominify", lambda s: bench_site(s, False))
    configs = [
        ("hugo", False, lambda o: ["hugo", "--quiet", "-s", hugo, "-d", o]),
        ("hugo --minify", True, lambda o: ["hugo", "--quiet", "--minify", "-s", hugo, "-d", o]),
        ("nashra bench", False, lambda o: [NASHRA, "build", "--root", off, "--output", o]),
        ("nashra bench minify", True, lambda o: [NASHRA, "build", "--root", on, "--output", o]),
    ]
    if os.environ.get("ZOLA"):
        zola = corpus(n, "zola")
        zola_cmd = [os.environ["ZOLA"], "--root", zola, "build", "--force", "-o"]
        configs.append(("zola", False, lambda o: [*zola_cmd, o]))
    if FULL:
        full = nashra_site(n, "full", full_site)

        added = full / "content/posts/story-added.ar.md"
        full_out = base / "nashra_full"

        def first_build(site, o):
            # No build cache from an earlier round: every configuration built cold.
            shutil.rmtree(site / ".nashra", ignore_errors=True)
            return [NASHRA, "build", "--root", site, "--output", o]

        def cold(o):
            # The article the round before added is gone again.
            added.unlink(missing_ok=True)
            return first_build(full, o)

        def add(o):
            story = (full / "content/posts/story-00001.ar.md").read_text()
            added.write_text(story.replace('title = "', 'title = "خبر مضاف: ', 1))
            return [NASHRA, "build", "--root", full, "--output", full_out]

        configs.append(("nashra full", True, cold))
        # Right after it, into the same folder, with the build cache it wrote: nothing
        # changed, then one article added.
        def rebuild(o):
            return [NASHRA, "build", "--root", full, "--output", full_out]

        configs.append(("nashra full, warm, nothing changed", True, rebuild))
        configs.append(("nashra full, warm, one article added", True, add))
        plain = nashra_site(n, "full-nosearch", lambda s: full_site(s, search=False))
        configs.append(("nashra full, search off", True, lambda o: first_build(plain, o)))
        flat = nashra_site(n, "full-nocards", lambda s: full_site(s, cards=False))
        configs.append((CARDS_OFF, True, lambda o: first_build(flat, o)))
        if PAGEFIND.exists():
            # Pagefind's own CLI over the output just built without search: what search costs
            # when done the usual way, on the same pages. Runs after that build in each round.
            site = base / "nashra_full,_search_off"
            configs.append((PAGEFIND_ROW, None, lambda o: [PAGEFIND, "--site", site, "--output-path", o]))
    # A rebuild is timed in the folder of the build before it, which it keeps.
    def out(name):
        return base / ("nashra_full" if name.startswith("nashra full, warm") else name.replace(" ", "_"))

    return [(name, minify, command, out(name)) for name, minify, command in configs]


def cards_cost(medians):
    """The line that sets what drawing every social card adds to a cold full build."""
    if CARDS_OFF not in medians:
        return ""
    added = medians["nashra full"] - medians[CARDS_OFF]
    return f"Social cards add {added:.2f} s to the full build: {added / medians[CARDS_OFF]:.0%} of it without them."


def search_cost(medians):
    """The line that sets search's own cost in nashra beside Pagefind's CLI on the same pages."""
    if "nashra full, search off" not in medians:
        return ""
    added = medians["nashra full"] - medians["nashra full, search off"]
    line = f"Search adds {added:.2f} s to the full build"
    if PAGEFIND_ROW in medians:
        line += f": {added / medians[PAGEFIND_ROW]:.2f} × Pagefind's CLI on the same pages"
    return line + "."


def floor(source, base):
    copy = base / "floor"
    return timed(["cp", "-r", source, copy], copy)


def run(n, place):
    base = Path("/dev/shm" if place == "tmpfs" else WORK) / f"out-{n}"
    base.mkdir(parents=True, exist_ok=True)
    configs = configurations(n, base)
    results = {name: [] for name, *_ in configs}
    results["floor: cp -r hugo output"] = []
    for round in range(RUNS + 1):
        for name, _, command, out in configs:
            figures = timed(command(str(out)), out, fresh=not name.startswith("nashra full, warm"))
            if round:
                results[name].append(figures)
        figures = floor(base / "hugo", base)
        if round:
            results["floor: cp -r hugo output"].append(figures)
    print(f"\nN = {n:,} stories ({2 * n:,} article pages), output on {place}, median of {RUNS}\n")
    print("| tool | wall s (median, min-max) | peak MiB | HTML pages | × Hugo (same minify) |")
    print("|---|---|---|---|---|")
    medians = {name: statistics.median(w for w, _, _ in runs) for name, runs in results.items()}
    minified = {name: m for name, m, *_ in configs if m is not None}
    for name, runs in results.items():
        walls = [w for w, _, _ in runs]
        rss = statistics.median(r for _, r, _ in runs)
        pages = runs[-1][2]
        hugo = "hugo --minify" if minified.get(name) else "hugo"
        ratio = (
            f"{medians[name] / medians[hugo]:.2f} time, {rss / statistics.median(r for _, r, _ in results[hugo]):.2f} RSS"
            if name in minified
            else ""
        )
        print(
            f"| {name} | {medians[name]:.2f} ({min(walls):.2f}-{max(walls):.2f}) | {rss:.0f} | {pages:,} | {ratio} |"
        )
    print(f"\n{search_cost(medians)}")
    print(cards_cost(medians))
    shutil.rmtree(base, ignore_errors=True)


def main():
    sizes = [int(a) for a in sys.argv[1:]] or [1000, 10000]
    WORK.mkdir(parents=True, exist_ok=True)
    CORPORA.mkdir(parents=True, exist_ok=True)
    for n in sizes:
        for place in PLACES:
            run(n, place)


if __name__ == "__main__":
    main()
