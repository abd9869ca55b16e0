#!/usr/bin/env python3
"""Makes rfsq4j's embedded default data set: 128x128 crops of public-domain / CC0 photos that Debian ships.

    data/make-default.sh            downloads the two Debian packages, extracts them, runs this script
    python3 data/make-default.py SKIMAGE_DATA_DIR GRACE_HOPPER_JPG OUT_DIR

Each source image is resized (Pillow, Lanczos) so its shorter side is `short`, then cut into the centered grid of
non-overlapping 128x128 tiles, of which the first `take` (row by row) are kept, saved as JPEG quality 90. The
held-out crops come from other photos than the training crops. Needs Pillow (Debian: python3-pil).
"""
import sys
from pathlib import Path

from PIL import Image

TILE = 128
# (file, split, short side after resizing, tiles kept, license note)
SOURCES = [
    ("astronaut.png", "train", 384, 9, "Eileen Collins, NASA: public domain"),
    ("coffee.png", "train", 256, 6, "Rachel Michetti: CC0"),
    ("rocket.jpg", "train", 256, 4, "DSCOVR launch, SpaceX: public domain"),
    ("hubble_deep_field.jpg", "train", 256, 4, "Hubble eXtreme Deep Field, NASA: public domain"),
    ("retina.jpg", "train", 256, 4, "Mikael Häggström, Wikimedia Commons: CC0 1.0"),
    ("camera.png", "train", 256, 4, "Lav Varshney: CC0 (grayscale)"),
    ("brick.png", "train", 256, 2, "CC0Textures Bricks25: CC0 (grayscale)"),
    ("grass.png", "train", 256, 2, "linolafett, DeviantArt: CC0 (grayscale)"),
    ("gravel.png", "train", 256, 2, "CC0Textures Gravel04: CC0 (grayscale)"),
    ("chelsea.png", "heldout", 256, 6, "Chelsea the cat, Stefan van der Walt: CC0"),
    ("grace_hopper.jpg", "heldout", 256, 4, "Grace Hopper, U.S. Navy photograph: public domain"),
]


def main(skimage_dir, grace_hopper, out_dir):
    out = Path(out_dir)
    notes = []
    for name, split, short, take, note in SOURCES:
        src = Path(grace_hopper) if name == "grace_hopper.jpg" else Path(skimage_dir) / name
        img = Image.open(src).convert("RGB")
        w, h = img.size
        scale = short / min(w, h)
        img = img.resize((round(w * scale), round(h * scale)), Image.LANCZOS)
        w, h = img.size
        nx, ny = w // TILE, h // TILE
        x0, y0 = (w - nx * TILE) // 2, (h - ny * TILE) // 2
        tiles = [(x0 + i * TILE, y0 + j * TILE) for j in range(ny) for i in range(nx)][:take]
        (out / split).mkdir(parents=True, exist_ok=True)
        for n, (x, y) in enumerate(tiles):
            crop = f"{split}/{Path(name).stem}-{n + 1}.jpg"
            img.crop((x, y, x + TILE, y + TILE)).save(out / crop, quality=90, optimize=True)
            notes.append(f"| `{crop}` | `{name}` | {note} |")
    (out / "SOURCES.md").write_text(
        "# Where the default crops come from\n\n"
        "Made by `data/make-default.sh` from Debian bookworm's `python3-skimage` (0.19.3-8; scikit-image's data\n"
        "images, license of each stated in `skimage/data/_fetchers.py`) and `python-matplotlib-data` (3.6.3-1;\n"
        "`sample_data/grace_hopper.jpg`). Every source is public domain or CC0; the crops are too.\n\n"
        "| crop | source | author, license |\n|---|---|---|\n" + "\n".join(notes) + "\n",
        encoding="utf-8")
    # The jar cannot list its own folders: rfsq4j reads this list to extract the crops.
    crops = sorted(p.relative_to(out).as_posix() for p in out.glob("*/*.jpg"))
    (out / "index.txt").write_text("\n".join(crops + ["SOURCES.md"]) + "\n", encoding="utf-8")
    print(f"{len(notes)} crops in {out}")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])
