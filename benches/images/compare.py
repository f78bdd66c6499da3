#!/usr/bin/env python3
"""nashra's photo pipeline beside Hugo's on the same generated photos (benches/images.sh).

Why each part is there:
- Cold builds, N photos (default 200, 3000-4000 px): Hugo resizes each page bundle's photo to
  the 4 widths nashra uses, as WebP q75 and JPEG q75 with Lanczos, so both write the same 8
  files per photo; nashra with `formats = ["webp"]` (plus the JPEG fallback it always makes)
  is the like-for-like row and the ratio. nashra's AVIF configurations (`["avif"]` and the
  default `["avif", "webp"]`) have no Hugo peer (Hugo 0.111 cannot write AVIF) and are far
  slower, so they run on the first AVIF_N photos (default 50), in the first AVIF_RUNS rounds
  only (default 1; 0 leaves them out). Every build starts cold: Hugo
  without resources/_gen, nashra without .nashra and with --no-cache; fresh output folder.
  Rounds alternate the tools, RUNS rounds (default 3), no warm-up round (a cold build of
  hundreds of photos is minutes; sources and outputs are on tmpfs, so there is no disk
  cache to warm).
- Warm rebuilds, WARM_N photos (default 1000, 2000-2400 px, a second generated set, to keep
  generation time sane): default formats and widths (avif_speed 10 unless WARM_AVIF_SPEED says
  otherwise, see below), built cold (timed once; WARM_REUSE=1 keeps a site an earlier run
  filled), then RUNS rebuilds with nothing changed into the same output, and RUNS after `rm -rf public` (every file from
  nashra's image cache). Target: 1 s.
- Page weight (WEIGHT=0 skips it): the repository's sample site with a generated photo as
  the English article's lead image, default [images], loaded at 390 and 1280 px by
  tests/browser/photos.mjs in Chromium (bytes transferred, text gzipped as a static host
  sends it).
Photos are made by gen_photos.py once and kept under CORPORA (default
/dev/shm/nashra-bench-photos); sites hard-link them, outputs go to OUT (default
/dev/shm/nashra-bench-images). Tables are printed in Markdown.
"""

import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
NASHRA = Path(os.environ.get("NASHRA", REPO / "target/release/nashra"))
RUNS = int(os.environ.get("RUNS", "3"))
N = int(os.environ.get("N", "200"))
AVIF_N = int(os.environ.get("AVIF_N", "50"))
# AVIF rounds: a round of both AVIF configurations on 50 photos is about 10 CPU minutes.
AVIF_RUNS = int(os.environ.get("AVIF_RUNS", "1"))
WARM_N = int(os.environ.get("WARM_N", "1000"))
# The warm site's one cold build fills the image cache: 1,000 photos with AVIF at the default
# speed 9 are about 100 CPU minutes, at 10 about 60. What a rebuild then does (read, check and
# write 12 cached files per photo) does not depend on the speed, only on the files (AVIF at
# speed 10 is a few % larger), so by default the warm site says avif_speed = 10 and keeps
# every other setting at its default; WARM_AVIF_SPEED="" keeps 9.
WARM_AVIF_SPEED = os.environ.get("WARM_AVIF_SPEED", "10")
WEIGHT = os.environ.get("WEIGHT", "1") == "1"
CORPORA = Path(os.environ.get("CORPORA", "/dev/shm/nashra-bench-photos"))
OUT = Path(os.environ.get("OUT", "/dev/shm/nashra-bench-images"))
WIDTHS = [480, 800, 1200, 1600]
IMAGE_EXT = (".webp", ".jpg", ".avif")


def photos(n, seed, long_range):
    """The first `n` photos of the set (seed, long side range), generated when missing."""
    folder = CORPORA / f"s{seed}-{long_range}"
    files = [folder / f"photo-{i:04d}.jpg" for i in range(1, n + 1)]
    if not all(f.exists() for f in files):
        gen = [sys.executable, HERE / "gen_photos.py", folder, str(n), "--seed", str(seed), "--long", long_range.replace("-", ":")]
        subprocess.run(gen, check=True)
    return files


def link(source, target):
    target.parent.mkdir(parents=True, exist_ok=True)
    os.link(source, target)


def hugo_site(files):
    """A Hugo site: one page bundle per photo and one template making the 8 files."""
    site = OUT / f"hugo-{len(files)}"
    shutil.rmtree(site, ignore_errors=True)
    (site / "layouts/_default").mkdir(parents=True)
    # publishResources = false: Hugo would otherwise copy every original photo into public/
    # as well, which nashra never does.
    (site / "hugo.toml").write_text(
        'baseURL = "https://example.org/"\n'
        'disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404"]\n'
        'resourceDir = "resources"\n'
        '[cascade._build]\npublishResources = false\n'
    )
    resize = "".join(
        f'<img src="{{{{ ($img.Resize "{w}x webp q75 Lanczos").RelPermalink }}}}">'
        f'<img src="{{{{ ($img.Resize "{w}x jpg q75 Lanczos").RelPermalink }}}}">\n'
        for w in WIDTHS
    )
    (site / "layouts/_default/single.html").write_text(
        f'{{{{ with .Resources.GetMatch "photo.jpg" }}}}{{{{ $img := . }}}}\n{resize}{{{{ end }}}}\n'
    )
    (site / "layouts/_default/list.html").write_text("{{ range .Pages }}{{ .Title }} {{ end }}\n")
    for i, f in enumerate(files, 1):
        bundle = site / f"content/posts/p{i:04d}"
        link(f, bundle / "photo.jpg")
        (bundle / "index.md").write_text(f'+++\ntitle = "p{i:04d}"\ndate = 2024-11-01\n+++\nA photo.\n')
    return site


NASHRA_CONFIG = """base_url = "https://example.org/"
default_language = "ar"
theme = "bench"
taxonomies = ["tags", "categories"]
editions = false
sitemap = false

[languages.ar]
name = "العربية"
title = "صور"

[languages.en]
name = "English"
title = "Photos"
"""


def nashra_site(name, files, formats, extra=""):
    """The benches/site theme with one Arabic article per photo, its lead image beside it;
    `formats` None keeps the default, `extra` adds lines to [images]."""
    site = OUT / name
    shutil.rmtree(site, ignore_errors=True)
    shutil.copytree(REPO / "benches/site/themes", site / "themes")
    shutil.copytree(REPO / "benches/site/content", site / "content")
    images = "" if formats is None else f"formats = {json.dumps(formats)}\n"
    images = f"\n[images]\n{images}{extra}" if images or extra else ""
    (site / "nashra.toml").write_text(NASHRA_CONFIG + images)
    for i, f in enumerate(files, 1):
        link(f, site / f"content/posts/photo-{i:04d}.jpg")
        (site / f"content/posts/story-{i:04d}.ar.md").write_text(
            f'+++\ntitle = "صورة {i}"\ndate = 2024-11-01\n'
            f'image = {{ src = "photo-{i:04d}.jpg", alt = "مشهد {i}", caption = "صورة للاختبار", credit = "المولّد" }}\n'
            f"+++\nخبر مع صورة.\n"
        )
    return site


def timed(command, cwd=None):
    """Runs `command`; returns (wall s, peak MiB, stdout+stderr, CPU s: user + system, which
    other work on the machine inflates less than the wall time)."""
    with tempfile.NamedTemporaryFile("r") as stats:
        done = subprocess.run(
            ["/usr/bin/time", "-f", "%e %M %U %S", "-o", stats.name, *map(str, command)],
            cwd=cwd,
            capture_output=True,
            text=True,
        )
        if done.returncode:
            sys.exit(f"{command} failed:\n{done.stdout}{done.stderr}")
        wall, rss, user, system = stats.read().split()[-4:]
    return float(wall), int(rss) / 1024, done.stdout + done.stderr, float(user) + float(system)


def load():
    """The 1-minute load average, printed beside each table: other work on the machine (a
    compile in another checkout) shows in the times, and this says when it was there."""
    return f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"


def images_in(folder):
    """{extension: (files, bytes)} of the image files under `folder`."""
    out = {}
    for f in Path(folder).rglob("*"):
        if f.suffix in IMAGE_EXT:
            n, b = out.get(f.suffix, (0, 0))
            out[f.suffix] = (n + 1, b + f.stat().st_size)
    return out


def width_sizes(folder, width, ext):
    """Sizes of the `width` px files of format `ext` (names carry the width, both tools')."""
    pattern = re.compile(rf"(-{width}\.[0-9a-f]+|_{width}x0_.*){re.escape(ext)}$")
    return sorted(f.stat().st_size for f in Path(folder).rglob(f"*{ext}") if pattern.search(f.name))


def kb(sizes):
    return f"{statistics.median(sizes) / 1000:.1f} KB ({sizes[0] / 1000:.1f}-{sizes[-1] / 1000:.1f})"


def cold():
    files = photos(N, 1, "3000-4000")
    hugo = hugo_site(files)
    webp = nashra_site(f"nashra-webp-{N}", files, ["webp"])
    avif = nashra_site(f"nashra-avif-{AVIF_N}", files[:AVIF_N], ["avif"])
    both = nashra_site(f"nashra-avif-webp-{AVIF_N}", files[:AVIF_N], None)

    def nashra(site):
        def run(out):
            shutil.rmtree(site / ".nashra", ignore_errors=True)
            return [NASHRA, "build", "--root", site, "--output", out, "--no-cache"]

        return run

    def hugo_run(out):
        shutil.rmtree(hugo / "resources", ignore_errors=True)
        return ["hugo", "--quiet", "-s", hugo, "-d", out]

    configs = [
        ("hugo: WebP + JPEG q75, Lanczos", N, hugo_run),
        ('nashra: formats = ["webp"] (+ JPEG)', N, nashra(webp)),
        ('nashra: formats = ["avif"] (+ JPEG)', AVIF_N, nashra(avif)),
        ('nashra: default ["avif", "webp"] (+ JPEG)', AVIF_N, nashra(both)),
    ][: 4 if AVIF_RUNS and AVIF_N else 2]
    results = {name: [] for name, *_ in configs}
    outputs = {}
    for round in range(1, RUNS + 1):
        for name, n, command in configs:
            if n == AVIF_N and "avif" in name and round > AVIF_RUNS:
                continue
            out = OUT / ("out-" + re.sub(r"\W+", "-", name))
            shutil.rmtree(out, ignore_errors=True)
            wall, rss, _, cpu = timed(command(out))
            print(f"round {round}: {name}: {wall:.1f} s, {cpu:.1f} CPU s, {rss:.0f} MiB, {load()}", file=sys.stderr)
            results[name].append((wall, rss, cpu))
            outputs[name] = out
    hugo_median = statistics.median(w for w, _, _ in results[configs[0][0]])
    hugo_rss = statistics.median(r for _, r, _ in results[configs[0][0]])
    print(f"\n### Cold builds, median of {RUNS} (AVIF rows: {AVIF_RUNS}), photos 3000-4000 px, output on tmpfs ({load()} at the end)\n")
    print("| tool | photos | wall s (median, min-max) | CPU s | peak MiB | image files | photos/s | × Hugo |")
    print("|---|---|---|---|---|---|---|---|")
    for name, n, _ in configs:
        walls = [w for w, _, _ in results[name]]
        median = statistics.median(walls)
        rss = statistics.median(r for _, r, _ in results[name])
        cpu = statistics.median(c for _, _, c in results[name])
        files_written = sum(c for c, _ in images_in(outputs[name]).values())
        # Only the WebP row makes the same files from the same photos as Hugo.
        ratio = f"{median / hugo_median:.2f} time, {rss / hugo_rss:.2f} RSS" if name == configs[1][0] else ""
        print(f"| {name} | {n} | {median:.1f} ({min(walls):.1f}-{max(walls):.1f}) | {cpu:.0f} | {rss:.0f} | {files_written:,} | {n / median:.1f} | {ratio} |")
    print("\nOutput bytes per format (last round):\n")
    print("| tool | format | files | total MB | per photo KB |")
    print("|---|---|---|---|---|")
    for name, n, _ in configs:
        for ext, (count, size) in sorted(images_in(outputs[name]).items()):
            print(f"| {name} | {ext[1:]} | {count:,} | {size / 1e6:.1f} | {size / n / 1e3:.0f} |")
    print("\nRealism check, 480 px versions, median (min-max) over the photos:\n")
    for name, ext in [(configs[0][0], ".webp"), (configs[1][0], ".webp"), (configs[1][0], ".jpg"), (configs[-1][0], ".avif")][: len(configs) + 1]:
        print(f"- {name}: {ext[1:]} {kb(width_sizes(outputs[name], 480, ext))}")
    sources = sorted(f.stat().st_size for f in files)
    print(f"- sources: {kb(sources)}")
    for out in outputs.values():
        shutil.rmtree(out, ignore_errors=True)


def warm():
    files = photos(WARM_N, 2, "2000-2400")
    speed = f"avif_speed = {WARM_AVIF_SPEED}\n" if WARM_AVIF_SPEED else ""
    site = OUT / f"nashra-warm-{WARM_N}"
    public = site / "public"
    build = [NASHRA, "build", "--root", site]
    # WARM_REUSE=1 times the rebuilds of a site an earlier run filled (its cold build is
    # an hour of CPU), e.g. once the machine is quiet again; the cold row is that run's.
    filled = site / ".filled.json"
    if os.environ.get("WARM_REUSE") == "1" and filled.exists():
        first = json.loads(filled.read_text())
    else:
        nashra_site(site.name, files, None, speed)
        print(f"cold build of {WARM_N} photos, {load()}", file=sys.stderr)
        first = timed(build)
        filled.write_text(json.dumps(first))
    print(f"\n### Rebuilds, {WARM_N} photos (2000-2400 px), default formats and widths{', ' + speed.strip() if speed else ''}, median of {RUNS} ({load()})\n")
    print("| build | wall s (median, min-max) | peak MiB | summary |")
    print("|---|---|---|---|")
    summary = lambda log: log.strip().splitlines()[-1].split("; ", 1)[-1]
    print(f"| cold, once ({first[3]:.0f} CPU s) | {first[0]:.1f} | {first[1]:.0f} | {summary(first[2])} |")
    for name, before in [("nothing changed, same output", lambda: None),
                         ("after rm -rf public (all from the image cache)", lambda: shutil.rmtree(public))]:
        runs = []
        for _ in range(RUNS):
            before()
            runs.append(timed(build))
        walls = [w for w, *_ in runs]
        print(f"| {name} | {statistics.median(walls):.2f} ({min(walls):.2f}-{max(walls):.2f}) | "
              f"{statistics.median(r for _, r, *_ in runs):.0f} | {summary(runs[-1][2])} |")
    sizes = images_in(public)
    print("\nOutput: " + ", ".join(f"{c:,} {e[1:]} ({b / 1e6:.0f} MB)" for e, (c, b) in sorted(sizes.items())))


def browser_dir():
    """tests/browser's scripts in a scratch folder beside a node_modules link (the worktree's
    own, else the main checkout's): ESM resolves packages from the script's folder and
    ignores NODE_PATH, and nothing is linked inside the repository."""
    for candidate in (REPO / "tests/browser/node_modules", Path("/work/main/tests/browser/node_modules")):
        if candidate.is_dir():
            break
    else:
        sys.exit("tests/browser/node_modules is missing: run `npm ci` in tests/browser")
    scratch = OUT / "browser"
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    for script in (REPO / "tests/browser").glob("*.mjs"):
        shutil.copy(script, scratch)
    (scratch / "node_modules").symlink_to(candidate)
    return scratch


def weight():
    lead = photos(1, 1, "3000-4000")[0]
    site = OUT / "sample"
    shutil.rmtree(site, ignore_errors=True)
    site.mkdir(parents=True)
    shutil.copy(REPO / "nashra.toml", site)
    for d in ("content", "themes", "seeds"):
        shutil.copytree(REPO / d, site / d)
    article = site / "content/briefings/mali-russia-equipment.en.md"
    text = article.read_text()
    article.write_text(text.replace("\n+++\n", '\nimage = { src = "lead.jpg", alt = "A street in Bamako" }\n+++\n', 1))
    shutil.copy(lead, article.parent / "lead.jpg")
    subprocess.run([NASHRA, "build", "--root", site], check=True, capture_output=True)
    scripts = browser_dir()
    print(f"\n### Page weight: /en/briefings/mali-russia-equipment/, lead photo {lead.name}, default [images]\n")
    print("| viewport | bytes transferred | of which the photo | file chosen |")
    print("|---|---|---|---|")
    for width in (390, 1280):
        done = subprocess.run(
            ["node", scripts / "photos.mjs", site / "public", "/en/briefings/mali-russia-equipment/", str(width), ".article__figure img"],
            check=True, capture_output=True, text=True,
        )
        found = json.loads(done.stdout)
        photo = sum(r["bytes"] for r in found["resources"] if r["url"].endswith(IMAGE_EXT))
        current = (found["current"] or "none").rsplit("/", 1)[-1]
        print(f"| {width} px, 1× | {found['transferred']:,} | {photo:,} | {current} |")


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    # STEPS runs in the order given (e.g. "weight cold warm" for the quick result first).
    for step in os.environ.get("STEPS", "cold warm weight").split():
        if step != "weight" or WEIGHT:
            {"cold": cold, "warm": warm, "weight": weight}[step]()
            sys.stdout.flush()


if __name__ == "__main__":
    main()
