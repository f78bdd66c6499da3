"""Parses Atom and RSS feeds with feedparser, the library most feed readers' back ends share, and
prints what it made of them as JSON for tests/validators.rs to assert on.

    python3 feeds.py PUBLIC_DIR BASE_URL FEED...

FEED is a path under PUBLIC_DIR (atom.xml, en/rss.xml…). Every link of a feed and of its
entries that starts with BASE_URL is mapped to the file under PUBLIC_DIR a static server
would answer it with (a path ending in / gets index.html), and whether that file exists is
reported: the Rust side decides what is an error.

feedparser comes from requirements.txt beside this file; the test puts
tests/validators/python-packages (where tests/run installs it) first on PYTHONPATH.
"""

import json
import os
import sys
from urllib.parse import unquote, urldefrag

try:
    import feedparser
except ImportError as error:
    sys.exit(
        f"feedparser is not installed ({error}): run `tests/run`, which installs everything "
        "the tests need"
    )


def target(base, href):
    """The path, relative to the public folder, of the file that `href` names; None if
    `href` is not under `base`."""
    url, _fragment = urldefrag(href)
    url = url.split("?", 1)[0]
    if not url.startswith(base):
        return None
    path = unquote(url[len(base) :])
    if path == "" or path.endswith("/"):
        path += "index.html"
    return path


def links(public, base, items):
    out = []
    for link in items:
        href = link.get("href", "")
        rel_path = target(base, href)
        out.append(
            {
                "rel": link.get("rel"),
                "type": link.get("type"),
                "hreflang": link.get("hreflang"),
                "href": href,
                "target": rel_path,
                "exists": rel_path is not None
                and os.path.isfile(os.path.join(public, rel_path)),
            }
        )
    return out


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    public, base, paths = sys.argv[1], sys.argv[2], sys.argv[3:]
    feeds = []
    for path in paths:
        with open(os.path.join(public, path), "rb") as f:
            # Bytes, not a path: feedparser then reads the encoding from the XML declaration
            # (or defaults to UTF-8) exactly as from an HTTP body without a charset.
            parsed = feedparser.parse(f.read())
        feed = parsed.feed
        feeds.append(
            {
                "path": path,
                "bozo": bool(parsed.bozo),
                "bozo_exception": (
                    repr(parsed.get("bozo_exception")) if parsed.bozo else None
                ),
                "version": parsed.get("version"),
                "encoding": parsed.get("encoding"),
                "title": feed.get("title"),
                "title_type": feed.get("title_detail", {}).get("type"),
                "language": feed.get("language"),
                "id": feed.get("id"),
                "updated_parsed": feed.get("updated_parsed") is not None,
                "links": links(public, base, feed.get("links", [])),
                "entries": [
                    {
                        "title": entry.get("title"),
                        "id": entry.get("id"),
                        "updated_parsed": entry.get("updated_parsed") is not None,
                        "published_parsed": entry.get("published_parsed") is not None,
                        "summary": bool(entry.get("summary")),
                        "links": links(public, base, entry.get("links", [])),
                    }
                    for entry in parsed.entries
                ],
            }
        )
    # ASCII with \u escapes: the output survives whatever locale the test runs under.
    json.dump({"feedparser": feedparser.__version__, "feeds": feeds}, sys.stdout)


if __name__ == "__main__":
    main()
