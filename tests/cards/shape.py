#!/usr/bin/env python3
"""HarfBuzz's own shaping of every run of nashra's social cards, compared with nashra's.

    python3 tests/cards/shape.py THEME_DIR NAME=LAYOUT.json [NAME=LAYOUT.json ...]

Each LAYOUT.json is what `nashra card FILE --layout` printed. For every line of a card (each
headline line, the site's name, the date) and every run of the line, in the visual order
nashra drew them after bidi reordering, the run's text is shaped by uharfbuzz (HarfBuzz's C
library) in the run's font file (THEME_DIR/fonts[run.font]) at the font's default scale
(units per em, as nashra reports positions), with the run's direction, script and language
and no features, and its glyph ids, clusters, advances and offsets are compared with
nashra's (rustybuzz). Also held: a line's runs hold each of its characters once, no run is
empty, an Arabic run is right to left, and a headline line's width is its runs' advances.

Every mismatch is printed, one to a line, naming the card, the line, the run and its text.
The last line printed is a JSON summary of what was compared. Exits 1 on any mismatch.
"""

import json
import os
import sys
from collections import Counter
from unicodedata import name as unicode_name

import uharfbuzz as hb

# What nashra counts as invisible (bidi marks and isolates, joiners, the BOM): it draws no
# run made only of these, so a line's runs need not hold them.
INVISIBLE = set(
    [chr(c) for c in range(0x200B, 0x2010)]
    + [chr(c) for c in range(0x202A, 0x202F)]
    + [chr(c) for c in range(0x2060, 0x206A)]
    + ["\ufeff"]
)


def visible(text):
    return [c for c in text if c not in INVISIBLE]


def char_index(text):
    """UTF-8 byte offset of each character of text -> its index (nashra's clusters are byte
    offsets; uharfbuzz's add_str gives code-unit offsets of a Latin-1, UCS-2 or UCS-4 string,
    which are character indices)."""
    out, at = {}, 0
    for i, c in enumerate(text):
        out[at] = i
        at += len(c.encode("utf-8"))
    out[at] = len(text)
    return out


class Fonts:
    def __init__(self, theme):
        self.theme = theme
        self.cache = {}

    def get(self, name):
        if name not in self.cache:
            path = os.path.join(self.theme, name)
            blob = hb.Blob.from_file_path(path)
            face = hb.Face(blob)
            font = hb.Font(face)  # scale: units per em, positions in font units
            self.cache[name] = (font, face.upem)
        return self.cache[name]


def harfbuzz(font, run):
    buf = hb.Buffer()
    buf.add_str(run["text"])
    buf.direction = run["direction"]
    buf.script = run["script"]
    buf.language = run["language"]
    hb.shape(font, buf, {})
    return [
        {
            "id": info.codepoint,
            "cluster": info.cluster,
            "x_advance": pos.x_advance,
            "x_offset": pos.x_offset,
            "y_offset": pos.y_offset,
        }
        for info, pos in zip(buf.glyph_infos, buf.glyph_positions)
    ]


def show(glyphs):
    return " ".join(
        f"{g['id']}@{g['cluster']}+{g['x_advance']}({g['x_offset']},{g['y_offset']})" for g in glyphs
    )


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    fonts = Fonts(sys.argv[1])
    counts = Counter()
    mismatches = []

    def fail(where, what):
        mismatches.append(f"{where}: {what}")
        print(f"MISMATCH {where}: {what}", flush=True)

    for arg in sys.argv[2:]:
        name, _, path = arg.partition("=")
        with open(path, encoding="utf-8") as f:
            layout = json.load(f)
        counts["cards"] += 1
        lines = [(f"headline[{n}]", line) for n, line in enumerate(layout["headline"])]
        lines.append(("site", layout["site"]))
        if layout.get("date") is not None:
            lines.append(("date", layout["date"]))
        for line_name, line in lines:
            counts["lines"] += 1
            where_line = f"{name} {line_name} {line['text']!r}"
            held = Counter(c for run in line["runs"] for c in visible(run["text"]))
            if held != Counter(visible(line["text"])):
                fail(
                    where_line,
                    f"the runs hold {''.join(sorted(held.elements()))!r}, not the line's characters",
                )
            em_width = 0.0
            for r, run in enumerate(line["runs"]):
                counts["runs"] += 1
                counts[f"runs_{run['direction']}"] += 1
                where = f"{where_line} run {r} {run['text']!r} ({run['direction']}, {run['script']}, {run['language']}, font {run['font']})"
                if not run["text"] or not run["glyphs"]:
                    fail(where, "an empty run")
                if run["direction"] != "rtl" and any(c.isalpha() and "ARABIC" in unicode_name(c, "") for c in run["text"]):
                    fail(where, "Arabic letters shaped left to right")
                font_name = layout["fonts"][run["font"]]
                font, upem = fonts.get(font_name)
                em_width += sum(g["x_advance"] for g in run["glyphs"]) / upem
                want = harfbuzz(font, run)
                index = char_index(run["text"])
                got = []
                for g in run["glyphs"]:
                    g = dict(g)
                    if g["cluster"] not in index:
                        fail(where, f"cluster {g['cluster']} is not at a character of the run")
                    g["cluster"] = index.get(g["cluster"], -1)
                    got.append(g)
                counts["glyphs"] += len(got)
                if len(got) != len(want):
                    fail(
                        where,
                        f"{len(got)} glyphs, HarfBuzz {len(want)}\n  nashra:   {show(got)}\n  HarfBuzz: {show(want)}",
                    )
                    continue
                for i, (g, w) in enumerate(zip(got, want)):
                    diff = [k for k in ("id", "cluster", "x_advance", "x_offset", "y_offset") if g[k] != w[k]]
                    if diff:
                        fail(
                            where,
                            f"glyph {i}: {', '.join(f'{k} {g[k]} (HarfBuzz {w[k]})' for k in diff)}"
                            f"\n  nashra:   {show(got)}\n  HarfBuzz: {show(want)}",
                        )
                        break
            # A headline line's width is its runs' advances at the headline's size.
            if line_name.startswith("headline"):
                width = em_width * layout["size"]
                if abs(width - line["width"]) > 0.5:
                    fail(where_line, f"width {line['width']}, its runs' advances give {width:.2f}")
    summary = {
        "harfbuzz": hb.version_string(),
        "uharfbuzz": hb.__version__,
        "cards": counts["cards"],
        "lines": counts["lines"],
        "runs": counts["runs"],
        "runs_rtl": counts["runs_rtl"],
        "runs_ltr": counts["runs_ltr"],
        "glyphs": counts["glyphs"],
        "mismatches": len(mismatches),
    }
    print(json.dumps(summary), flush=True)
    sys.exit(1 if mismatches else 0)


if __name__ == "__main__":
    main()
