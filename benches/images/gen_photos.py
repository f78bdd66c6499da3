#!/usr/bin/env python3
"""Photo-like JPEGs for the image benchmark: gen_photos.py OUT N [--seed S] [--long A:B] [--jobs J].

Flat gradients or plain noise would flatter (or punish) the encoders: a gradient compresses to
nothing and white noise to nothing useful. Real news photos have a soft sky, textured ground
at every scale, hard edges (buildings, vehicles, people) and sensor grain, so each picture is
built from those: a sky with multi-octave value-noise clouds, hazier hill ridges towards the
horizon (atmospheric perspective), fBm-textured ground, a row of buildings with windows and
figures in front with shadows, sometimes a blurred background (depth of field), a vignette,
and luma+chroma grain, saved at quality 90 with a small EXIF block as a camera would (1.5-4 MB
at 12 MP). Each file is a function of (seed, index) only, so a rerun, or another N, gives
the same photos; files already in OUT are kept.

Sizes: the long side is drawn from --long (default 3000:4000); aspect ratios 3:2, 4:3, 16:9,
and one photo in six portrait (2:3 or 3:4, the short side then drawn from --long).
Needs numpy and Pillow (compare.py installs them with pip --target under /tmp).
"""

import argparse
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

RATIOS = [(3, 2), (3, 2), (4, 3), (16, 9)]


def size(rng, long_range):
    """(width, height): landscape mostly, one in six portrait."""
    side = int(rng.integers(long_range[0], long_range[1] + 1)) // 8 * 8
    a, b = RATIOS[rng.integers(len(RATIOS))]
    if rng.random() < 1 / 6:
        # Portrait: as wide as the narrowest landscape photos, so it is not 20+ MP.
        a, b = (2, 3) if rng.random() < 0.5 else (3, 4)
        side = long_range[0] + int(rng.integers(0, (long_range[1] - long_range[0]) // 4 + 1)) // 8 * 8
    return side, side * b // a


def value_noise(rng, w, h, cell):
    """Smooth noise in [0, 1] with features about `cell` px apart: a random grid scaled up
    bicubically (Pillow's resampler in float mode is fast, unlike per-pixel Python)."""
    gw, gh = w // cell + 3, h // cell + 3
    grid = Image.fromarray(rng.random((gh, gw), dtype=np.float32), "F")
    big = grid.resize((gw * cell, gh * cell), Image.BICUBIC)
    return np.asarray(big, dtype=np.float32)[cell : cell + h, cell : cell + w]


def fbm(rng, w, h, largest, smallest=2, gain=0.55):
    """Fractal (multi-octave) noise, centred on 0, roughly in [-1, 1]: detail at every scale
    from `largest` down to `smallest` px, each octave `gain` times weaker."""
    out = np.zeros((h, w), np.float32)
    amp, total, cell = 1.0, 0.0, largest
    while cell >= smallest:
        out += amp * (value_noise(rng, w, h, cell) - 0.5)
        total += amp * 0.5
        amp *= gain
        cell //= 2
    return out / total


def ridge(rng, w, base, amplitude, largest):
    """A hill line: y per column, 1-D fBm around `base`."""
    x = np.arange(w, dtype=np.float32)
    y = np.full(w, base, np.float32)
    amp, cell = amplitude, largest
    while cell >= 4:
        points = rng.random(w // cell + 2) - 0.5
        y += amp * np.interp(x / cell, np.arange(len(points)), points)
        amp *= 0.5
        cell //= 2
    return y


def tint(rng, base, spread):
    return np.clip(np.array(base, np.float32) + rng.normal(0, spread, 3), 0, 255).astype(np.float32)


def photo(seed, index, long_range):
    rng = np.random.default_rng([seed, index])
    full = size(rng, long_range)
    # The scene is drawn at half size: its detail is what survives into the 480-1600 px
    # versions, and a 12 MP camera file is no sharper than that either (lens, demosaicing).
    w, h = full[0] // 2, full[1] // 2
    ys = np.arange(h, dtype=np.float32)[:, None]
    horizon = h * rng.uniform(0.25, 0.45)

    # Sky: a vertical gradient (blue, grey or dusty evening) with clouds.
    top, low = [
        ([60, 110, 180], [170, 200, 230]),
        ([120, 125, 135], [200, 200, 205]),
        ([90, 100, 150], [230, 170, 120]),
        ([150, 140, 120], [215, 200, 170]),  # Sahel haze
    ][rng.integers(4)]
    t = np.clip(ys / max(horizon, 1), 0, 1)[..., None]
    img = tint(rng, top, 10) * (1 - t) + tint(rng, low, 10) * t
    img = np.broadcast_to(img, (h, w, 3)).copy()
    clouds = np.clip(fbm(rng, w, h, 512, 8) * 1.8 + rng.uniform(-0.3, 0.4), 0, 1)
    img += clouds[..., None] * (tint(rng, [245, 245, 245], 8) - img) * 0.85

    # Hills, far to near: each hazier and lighter the farther it is, ground textured at
    # every scale (fine octaves stronger near the camera), scattered with stones and shrubs.
    layers = int(rng.integers(2, 5))
    haze = img[int(horizon) - 1].mean(axis=0)
    ground_mask = np.zeros((h, w, 1), np.float32)
    for n in range(layers):
        near = (n + 1) / layers
        line = ridge(rng, w, horizon + near * (h - horizon) * 0.35, h * 0.08 * (1.2 - near), w // 3)
        mask = np.clip(ys - line[None, :], 0, 1)[..., None]
        ground = tint(rng, [[150, 120, 80], [110, 110, 70], [170, 140, 100], [90, 95, 60]][rng.integers(4)], 15)
        texture = fbm(rng, w, h, 256, 2, gain=0.6 + 0.2 * near)
        moisture = fbm(rng, w, h, 128, 16)
        layer = ground * (1 + 0.9 * near * texture[..., None])
        layer += 40 * moisture[..., None] * np.array([1, 0.6, -0.4], np.float32)
        layer = layer * (0.45 + 0.55 * near) + haze * (0.55 - 0.55 * near)
        img = img * (1 - mask) + layer * mask
        ground_mask = np.maximum(ground_mask, mask)

    canvas = Image.fromarray(np.clip(img, 0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(canvas)
    for _ in range(int(rng.integers(5000, 15000))):
        sx = rng.uniform(0, w)
        sy = horizon + (h - horizon) * rng.uniform(0, 1) ** 0.7
        if ground_mask[min(int(sy), h - 1), int(sx), 0] < 0.5:
            continue
        r = (sy - horizon) / (h - horizon) * h * rng.uniform(0.002, 0.012) + 1
        shade = rng.uniform(0.4, 1.3)
        c = tuple(int(min(v * shade, 255)) for v in canvas.getpixel((int(sx) % w, min(int(sy), h - 1))))
        draw.ellipse([sx - r * rng.uniform(1, 2.5), sy - r, sx + r * rng.uniform(1, 2.5), sy + r], fill=c)

    # Depth of field: sometimes the background is soft and the subject sharp.
    if rng.random() < 0.3:
        canvas = canvas.filter(ImageFilter.GaussianBlur(rng.uniform(1.5, 5)))
    draw = ImageDraw.Draw(canvas)

    # Trees on the skyline (clusters of leaves) and poles with sagging wires.
    for _ in range(int(rng.integers(5, 40))):
        tx, ty = rng.uniform(0, w), horizon + rng.uniform(0, 0.3) * (h - horizon)
        size_ = (ty - horizon + h * 0.05) * rng.uniform(0.1, 0.4)
        leaf = tint(rng, [60, 80, 40], 15)
        draw.rectangle([tx - size_ * 0.05, ty - size_, tx + size_ * 0.05, ty], fill=(70, 55, 40))
        for _ in range(60):
            lx, ly = tx + rng.normal(0, size_ * 0.35), ty - size_ + rng.normal(0, size_ * 0.3)
            r = size_ * rng.uniform(0.03, 0.1)
            draw.ellipse([lx - r, ly - r, lx + r, ly + r], fill=tuple(int(v) for v in leaf * rng.uniform(0.6, 1.3)))
    poles = np.sort(rng.uniform(0, w, int(rng.integers(0, 6))))
    for px in poles:
        draw.line([px, horizon - h * 0.2, px, horizon + h * 0.15], fill=(50, 45, 40), width=3)
    for a, b in zip(poles, poles[1:]):
        mid = horizon - h * 0.17
        draw.line([a, horizon - h * 0.19, (a + b) / 2, mid, b, horizon - h * 0.19], fill=(40, 40, 40), width=1)

    # Buildings along a street: walls in two shades, roofs, window grids, doors.
    street = horizon + (h - horizon) * rng.uniform(0.25, 0.45)
    x = rng.uniform(-0.1, 0.1) * w
    while x < w:
        bw = w * rng.uniform(0.04, 0.14)
        bh = h * rng.uniform(0.08, 0.35)
        wall = tuple(int(c) for c in tint(rng, [190, 170, 140], 35))
        side = tuple(int(c * 0.7) for c in wall)
        top = street - bh
        draw.rectangle([x, top, x + bw, street], fill=wall)
        draw.rectangle([x + bw, top + bw * 0.05, x + bw * 1.15, street], fill=side)
        cols, rows = int(rng.integers(2, 8)), int(rng.integers(1, 7))
        for r in range(rows):
            for c in range(cols):
                pane = tuple(int(v) for v in tint(rng, [60, 70, 80], 30))
                wx, wy = x + bw * (c + 0.25) / cols, top + bh * (r + 0.2) / (rows + 1)
                draw.rectangle([wx, wy, wx + bw * 0.5 / cols, wy + bh * 0.45 / (rows + 1)], fill=pane, outline=side, width=2)
        draw.rectangle([x + bw * 0.4, street - bh * 0.2, x + bw * 0.55, street], fill=side)
        x += bw * rng.uniform(1.15, 1.6)

    # A crowd, figures and vehicles in front, with shadows: ellipses for heads, bodies, wheels.
    crowd = int(rng.integers(20, 100))
    for fx, fy in sorted(zip(rng.uniform(0, w, crowd), street + rng.uniform(0.02, 0.9, crowd) ** 1.5 * (h - street)), key=lambda p: p[1]):
        scale = (fy - horizon) / (h - horizon) * h * 0.35
        cloth = tuple(int(c) for c in rng.uniform(20, 230, 3))
        skin = tuple(int(c) for c in tint(rng, [110, 75, 50], 25))
        draw.ellipse([fx - scale * 0.25, fy - scale * 0.04, fx + scale * 0.35, fy + scale * 0.04], fill=(50, 45, 40))
        if rng.random() < 0.2:  # a vehicle
            draw.rounded_rectangle([fx - scale * 0.6, fy - scale * 0.45, fx + scale * 0.6, fy - scale * 0.1], radius=scale * 0.08, fill=cloth)
            draw.rectangle([fx - scale * 0.35, fy - scale * 0.42, fx + scale * 0.3, fy - scale * 0.28], fill=(70, 90, 110))
            for wx in (-0.4, 0.4):
                draw.ellipse([fx + scale * (wx - 0.1), fy - scale * 0.2, fx + scale * (wx + 0.1), fy], fill=(25, 25, 25))
        else:
            draw.rounded_rectangle([fx - scale * 0.1, fy - scale * 0.75, fx + scale * 0.1, fy], radius=scale * 0.05, fill=cloth)
            draw.rectangle([fx - scale * 0.1, fy - scale * 0.45, fx + scale * 0.1, fy - scale * 0.38], fill=tuple(255 - c for c in cloth))
            draw.ellipse([fx - scale * 0.07, fy - scale * 0.92, fx + scale * 0.07, fy - scale * 0.76], fill=skin)

    # Surfaces are never flat: a mid-to-fine texture over everything but the sky. Then
    # light: soft shading and a vignette.
    img = np.asarray(canvas, np.float32)
    img *= 1 + 0.45 * fbm(rng, w, h, 32, 2, gain=0.8)[..., None] * ground_mask
    shade = 1 + 0.12 * fbm(rng, w, h, 512, 32)
    xs = np.arange(w, dtype=np.float32)[None, :]
    r2 = ((xs - w / 2) / (w / 2)) ** 2 + ((ys - h / 2) / (h / 2)) ** 2
    img *= (shade * (1 - 0.18 * r2))[..., None]

    # Sensor: scaled to full size, then grain (luma, and blotchier chroma, as demosaicing
    # leaves it).
    big = Image.fromarray(np.clip(img, 0, 255).astype(np.uint8)).resize(full, Image.BICUBIC)
    img = np.asarray(big, np.float32)
    img += rng.standard_normal((full[1], full[0], 1), np.float32) * 3.0
    chroma = rng.normal(128, 40, (h, w, 3)).clip(0, 255).astype(np.uint8)
    img += (np.asarray(Image.fromarray(chroma).resize(full), np.float32) - 128) * 0.06
    out = Image.fromarray(np.clip(img, 0, 255).astype(np.uint8))
    exif = Image.Exif()
    exif[0x010F], exif[0x0110], exif[0x0132] = "Benchcam", "BC-1", f"2024:11:{1 + index % 28:02d} 10:00:00"
    return out, exif


def make(args):
    seed, index, long_range, path = args
    if path.exists():
        return
    image, exif = photo(seed, index, long_range)
    part = path.with_suffix(f".{os.getpid()}.part")  # two generators never share one
    image.save(part, "JPEG", quality=90, exif=exif)
    part.rename(path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("n", type=int)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--long", default="3000:4000", help="range of the long side, px")
    parser.add_argument("--jobs", type=int, default=os.cpu_count())
    args = parser.parse_args()
    long_range = tuple(int(v) for v in args.long.split(":"))
    args.out.mkdir(parents=True, exist_ok=True)
    work = [(args.seed, i, long_range, args.out / f"photo-{i:04d}.jpg") for i in range(1, args.n + 1)]
    with ProcessPoolExecutor(args.jobs) as pool:
        for n, _ in enumerate(pool.map(make, work, chunksize=4), 1):
            if n % 50 == 0:
                print(f"{n}/{args.n} photos", file=sys.stderr)


if __name__ == "__main__":
    main()
