"""LPIPS-VGG v0.1 in float64 PyTorch, written after the lpips package (github.com/richzhang/PerceptualSimilarity,
lpips/lpips.py and pretrained_networks.py, BSD-2): the reference LpipsTest checks rfsq4j's LPIPS against.

    python3 bench/pytorch/lpips_torch.py backbone OUT_DIR SEED
        writes a random VGG16-shaped torchvision state_dict (features.N.weight/bias and a small classifier) with
        torch.save twice: zip format as OUT_DIR/vgg16-<sha256[:8]>.pth and legacy format as
        OUT_DIR/legacy-<sha256[:8]>.pth; prints the two file names.
    python3 bench/pytorch/lpips_torch.py reference BACKBONE LIN_WEIGHTS X.npy XHAT.npy WEIGHT OUT_DIR
        X, XHAT: ImageNet-normalized float32 (B,3,H,W). LIN_WEIGHTS: LPIPS's vgg.pth or rfsq4j's safetensors copy.
        Writes (float32 .npy): d_unit.npy = LPIPS(denorm(xhat), denorm(x), normalize=True) (standard LPIPS on [0,1]
        images), d_unscaled.npy = LPIPS(denorm(xhat), denorm(x)) (the RFSQ reference's loss: [0,1] fed unscaled),
        d_signed.npy = LPIPS(xhat, x) (the tensors taken as [-1,1] images), and grad.npy = d(WEIGHT *
        mean(d_unscaled)) / d xhat.

Compatible with torch 1.13 (Debian 12) and later; needs no torchvision and no lpips package.
"""
import hashlib
import os
import sys

import numpy as np
import torch
import torch.nn as nn

MEAN = torch.tensor([0.485, 0.456, 0.406], dtype=torch.float64).view(1, 3, 1, 1)
STD = torch.tensor([0.229, 0.224, 0.225], dtype=torch.float64).view(1, 3, 1, 1)
CONVS = [(0, 3, 64), (2, 64, 64), (5, 64, 128), (7, 128, 128), (10, 128, 256), (12, 256, 256), (14, 256, 256),
         (17, 256, 512), (19, 512, 512), (21, 512, 512), (24, 512, 512), (26, 512, 512), (28, 512, 512)]
POOLS = [4, 9, 16, 23]


def vgg16_features():
    """torchvision's vgg16().features up to relu5_3 (modules 0..29), with torchvision's indices."""
    layers = {}
    for i, cin, cout in CONVS:
        layers[i] = nn.Conv2d(cin, cout, 3, padding=1)
        layers[i + 1] = nn.ReLU(inplace=False)
    for i in POOLS:
        layers[i] = nn.MaxPool2d(2, 2)
    return nn.Sequential(*[layers[i] for i in range(30)])


class Lpips(nn.Module):
    """lpips.LPIPS(net='vgg', version='0.1', lpips=True, spatial=False) in eval mode (dropout off)."""

    def __init__(self, features, lin):
        super().__init__()
        self.register_buffer("shift", torch.tensor([-.030, -.088, -.188]).view(1, 3, 1, 1))
        self.register_buffer("scale", torch.tensor([.458, .448, .450]).view(1, 3, 1, 1))
        self.slices = nn.ModuleList([features[0:4], features[4:9], features[9:16], features[16:23], features[23:30]])
        self.lins = nn.ModuleList()
        for w in lin:
            conv = nn.Conv2d(w.shape[1], 1, 1, bias=False)
            conv.weight.data.copy_(w)
            self.lins.append(conv)

    @staticmethod
    def normalize_tensor(f, eps=1e-10):
        return f / (torch.sqrt(torch.sum(f ** 2, dim=1, keepdim=True)) + eps)

    def forward(self, in0, in1, normalize=False):
        if normalize:
            in0, in1 = 2 * in0 - 1, 2 * in1 - 1
        h0, h1 = (in0 - self.shift) / self.scale, (in1 - self.shift) / self.scale
        val = 0
        for s, lin in zip(self.slices, self.lins):
            h0, h1 = s(h0), s(h1)
            diff = (self.normalize_tensor(h0) - self.normalize_tensor(h1)) ** 2
            val = val + lin(diff).mean([2, 3], keepdim=True)
        return val.view(-1)


def load_state(path):
    """A state_dict from a .pth (torch.load, tensors only where supported) or a safetensors file."""
    if path.endswith(".safetensors"):
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        from safetensors_io import load
        return load(path)[0]
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except TypeError:  # torch < 1.13 has no weights_only
        return torch.load(path, map_location="cpu")


def backbone(out, seed):
    g = torch.Generator().manual_seed(int(seed))
    state = {}
    for i, cin, cout in CONVS:
        # He-normal like torchvision's init (fan_out), so activations neither vanish nor blow up over 13 layers;
        # small random biases so that the bias path is exercised.
        state[f"features.{i}.weight"] = torch.randn(cout, cin, 3, 3, generator=g) * (2.0 / (cout * 9)) ** 0.5
        state[f"features.{i}.bias"] = torch.randn(cout, generator=g) * 0.05
    state["classifier.0.weight"] = torch.randn(16, 32, generator=g)  # a stand-in the reader must skip
    names = []
    for prefix, zipped in (("vgg16", True), ("legacy", False)):
        tmp = os.path.join(out, prefix + ".tmp")
        torch.save(state, tmp, _use_new_zipfile_serialization=zipped)
        with open(tmp, "rb") as f:
            digest = hashlib.sha256(f.read()).hexdigest()
        name = f"{prefix}-{digest[:8]}.pth"
        os.replace(tmp, os.path.join(out, name))
        names.append(name)
    print(" ".join(names))


def build(backbone_path, lin_path):
    """The float64 LPIPS network with a VGG16 backbone file and LPIPS's linear weights, frozen, in eval mode."""
    state = load_state(backbone_path)
    features = vgg16_features()
    features.load_state_dict({k[len("features."):]: v for k, v in state.items() if k.startswith("features.")})
    lin_state = load_state(lin_path)
    lin = [lin_state[f"lin{i}.model.1.weight"] for i in range(5)]
    net = Lpips(features, lin).double().eval()
    for p in net.parameters():
        p.requires_grad_(False)
    return net


def reference(backbone_path, lin_path, x_path, xhat_path, weight, out):
    torch.set_grad_enabled(True)
    net = build(backbone_path, lin_path)
    x = torch.from_numpy(np.load(x_path)).double()
    xhat = torch.from_numpy(np.load(xhat_path)).double().requires_grad_(True)
    x01 = x * STD + MEAN
    d_unscaled = net(xhat * STD + MEAN, x01)
    (float(weight) * d_unscaled.mean()).backward()
    with torch.no_grad():
        d_unit = net(xhat * STD + MEAN, x01, normalize=True)
        d_signed = net(xhat, x)
    grad = xhat.grad
    if not torch.isfinite(grad).all():
        sys.exit("the PyTorch gradient has NaN/Inf (a position where every channel of a VGG layer is 0)")
    for name, t in (("d_unit", d_unit), ("d_unscaled", d_unscaled), ("d_signed", d_signed), ("grad", grad)):
        np.save(os.path.join(out, name + ".npy"), t.detach().numpy().astype(np.float32))
    print(f"torch {torch.__version__}: d_unscaled {d_unscaled.detach().numpy()}")


if __name__ == "__main__":
    if sys.argv[1] == "backbone":
        backbone(*sys.argv[2:])
    elif sys.argv[1] == "reference":
        reference(*sys.argv[2:])
    else:
        sys.exit(__doc__)
