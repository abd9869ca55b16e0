"""Converts LPIPS v0.1's VGG linear-layer weights (PyTorch's legacy pickle, `weights/v0.1/vgg.pth` of
https://github.com/richzhang/PerceptualSimilarity, BSD-2) once into the safetensors resource rfsq4j ships:

    python3 bench/pytorch/convert_lpips_weights.py ../shared/weights/lpips-v0.1/vgg.pth \
        java/src/main/resources/dev/rfsq4j/eval/lpips-vgg-v0.1.safetensors

The names and shapes stay LPIPS's (lin0.model.1.weight ... lin4.model.1.weight, (1, C, 1, 1) float32); the
metadata records the source file's sha256 and the license. rfsq4j reads the resource at run time (no Python);
LpipsWeightsTest checks it against the original file read by rfsq4j's own restricted pickle reader.
"""
import hashlib
import sys

import torch

from safetensors_io import save


def main(src, dst):
    with open(src, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    state = torch.load(src, map_location="cpu")  # a file of LPIPS's release; nothing else is converted
    names = [f"lin{i}.model.1.weight" for i in range(5)]
    if sorted(state) != names:
        raise SystemExit(f"{src}: expected {names}, found {sorted(state)}")
    tensors = {name: state[name].float().contiguous() for name in names}
    save(dst, tensors, {
        "source": "LPIPS v0.1 weights/v0.1/vgg.pth (github.com/richzhang/PerceptualSimilarity)",
        "source_sha256": digest,
        "license": "BSD-2-Clause, Copyright (c) 2018, Richard Zhang, Phillip Isola, Alexei A. Efros, "
                   "Eli Shechtman, Oliver Wang (see LICENSE-lpips.txt beside this file)",
    })
    print(f"{dst}: {', '.join(f'{n} {tuple(t.shape)}' for n, t in tensors.items())}; source sha256 {digest}")


if __name__ == "__main__":
    main(*sys.argv[1:])
