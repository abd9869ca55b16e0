"""Plain PyTorch RFSQ, written from shared/docs/RFSQ-SPEC.md §1-2 alone: an independent reference for librfsq.

Latents are NCHW (B, C, H, W). Works in any float dtype; use float64 for a reference. Parameters follow rfsq.h's
flat layout: scale: theta (K,); layernorm: (K, 2, C) = gamma[C] then beta[C] per stage; none: no parameters.
"""
import math

import torch

EPS = 1e-3      # FSQ bound: h = (L - 1)(1 - eps) / 2
LN_EPS = 1e-5   # layernorm conditioning: sigma = sqrt(biased var + 1e-5)
STRATEGIES = ("none", "scale", "layernorm")


class Fsq:
    """FSQ constants of one level list (spec §1), shaped (1, C, 1, 1) to broadcast over NCHW."""

    def __init__(self, levels, dtype=torch.float64, device="cpu"):
        self.levels = list(levels)
        h = [(L - 1) * (1 - EPS) / 2 for L in levels]
        o = [0.5 if L % 2 == 0 else 0.0 for L in levels]

        def col(v):
            return torch.tensor(v, dtype=dtype, device=device).view(1, -1, 1, 1)

        self.h, self.o = col(h), col(o)
        self.shift = col([math.tan(oj / hj) for oj, hj in zip(o, h)])
        self.half = col([L // 2 for L in levels])
        basis = [math.prod(levels[:j]) for j in range(len(levels))]  # channel 0 least significant
        self.basis = torch.tensor(basis, dtype=torch.int64, device=device).view(1, -1, 1, 1)

    def bound(self, x):
        return torch.tanh(x + self.shift) * self.h - self.o

    def __call__(self, x):
        """Returns (codes, indices (B,H,W) int64, bounded values before rounding)."""
        f = self.bound(x)
        q = f + (torch.round(f) - f).detach()  # torch.round is round-half-even; straight-through gradient
        digits = (torch.round(f).detach() + self.half).to(torch.int64)
        return q / self.half, (digits * self.basis).sum(dim=1), f.detach()


def param_count(levels, stages, strategy):
    return {"none": 0, "scale": stages, "layernorm": stages * 2 * len(levels)}[strategy]


def init_params(levels, stages, strategy, dtype=torch.float64, device="cpu"):
    """The reference init: theta = 0 (s = ln 2); gamma = 1, beta = 0."""
    if strategy == "scale":
        return torch.zeros(stages, dtype=dtype, device=device)
    if strategy == "layernorm":
        p = torch.zeros(stages, 2, len(levels), dtype=dtype, device=device)
        p[:, 0] = 1
        return p.flatten()
    return None


def rfsq_forward(z, levels, stages, strategy, params=None, diagnostics=True):
    """K-stage RFSQ (spec §2), residual and statistics not detached. levels: a list, or an Fsq built once
    (timed loops should: building one copies its constants to the device).

    Returns a dict: zhat (B,C,H,W) = sum of q_k; idx (B,H,W,K) int64; stats (K,B,C,2) = (mu, sigma) for
    layernorm, else None. With diagnostics (off when timing): rnorm (B,K) = ||r_k|| per image after stage k;
    margin (B,H,W,K) = the distance of the bounded values to the nearest rounding boundary (min over channels),
    to tell rounding ties from errors.
    """
    fsq = levels if isinstance(levels, Fsq) else Fsq(levels, z.dtype, z.device)
    c = len(fsq.levels)
    r, zhat = z, torch.zeros_like(z)
    idx, stats, rnorm, margin = [], [], [], []
    for k in range(stages):
        if strategy == "none":
            code, i, f = fsq(r)
            q = code
        elif strategy == "scale":
            s = torch.nn.functional.softplus(params[k])
            code, i, f = fsq(s * r)
            q = code / s
        elif strategy == "layernorm":
            p = params.view(stages, 2, c)
            gamma, beta = p[k, 0].view(1, c, 1, 1), p[k, 1].view(1, c, 1, 1)
            mu = r.mean(dim=(2, 3), keepdim=True)
            sigma = torch.sqrt(r.var(dim=(2, 3), unbiased=False, keepdim=True) + LN_EPS)
            code, i, f = fsq(gamma * (r - mu) / sigma + beta)
            q = (code - beta) / gamma * sigma + mu
            stats.append(torch.stack([mu.flatten(1), sigma.flatten(1)], dim=-1))
        else:
            raise ValueError(f"strategy {strategy!r} not in {STRATEGIES}")
        r = r - q
        zhat = zhat + q
        idx.append(i)
        if diagnostics:
            rnorm.append(r.detach().flatten(1).norm(dim=1))
            margin.append(((f - torch.floor(f)) - 0.5).abs().amin(dim=1))
    out = {"zhat": zhat, "idx": torch.stack(idx, dim=-1), "stats": torch.stack(stats) if stats else None}
    if diagnostics:
        out["rnorm"] = torch.stack(rnorm, dim=1)
        out["margin"] = torch.stack(margin, dim=-1)
    return out
