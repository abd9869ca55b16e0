"""JPEG decode + resize + center crop with Pillow, as torchvision's Resize(S) + CenterCrop(S) run it on PIL images
(the reference's data path), on one process: images/s per core (process CPU time) and wall.

    python3 bench/data/pillow_decode.py DIR SIZE PASSES

DIR is searched recursively for .jpg/.jpeg/.png (any case), sorted; the first pass warms up and is not counted.
"""
import os
import sys
import time

from PIL import Image


def crop(path, size):
    im = Image.open(path)
    im = im.convert('RGB')
    w, h = im.size
    nw, nh = (size, int(size * h / w)) if w <= h else (int(size * w / h), size)
    im = im.resize((nw, nh), Image.BILINEAR)
    left, top = int(round((nw - size) / 2.0)), int(round((nh - size) / 2.0))
    return im.crop((left, top, left + size, top + size)).tobytes()


def main():
    root, size, passes = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    files = sorted(os.path.join(d, f) for d, _, fs in os.walk(root) for f in fs
                   if f.lower().endswith(('.jpg', '.jpeg', '.png')))
    for f in files:  # warm-up pass
        crop(f, size)
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(passes):
        for f in files:
            crop(f, size)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    n = passes * len(files)
    print('pillow %s  %d images x %d passes to %d px: %7.1f images/s per core (CPU %.2f s), %7.1f images/s wall'
          % (Image.__version__, len(files), passes, size, n / cpu, cpu, n / wall))


if __name__ == '__main__':
    main()
