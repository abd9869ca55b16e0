"""The reference VQ-VAE of RFSQ-SPEC.md §4 with the quantizers of §1-3 and docs/BASELINES.md, in plain PyTorch.

An independent reference for rfsq4j: written from the specs, RFSQ math from rfsq_torch.py. state_dict names are
the contract with rfsq4j's checkpoints (see bench/README.md). Quantizer forwards return (zhat, indices, aux_loss);
indices are int64 here (the caller casts).
"""
import os
import sys

import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rfsq_torch import STRATEGIES, Fsq, rfsq_forward  # noqa: E402

STATS_MODES = ("parity", "running")


class RfsqQuantizer(nn.Module):
    """K-stage RFSQ (spec §2). FSQ is K = 1 with strategy none. Layernorm in "running" mode also tracks
    running_stats (K, C, 2) = (mu, sigma) per stage and channel; its training forward still uses per-image stats."""

    def __init__(self, levels, stages, strategy, stats_mode="parity", momentum=0.99):
        super().__init__()
        if strategy not in STRATEGIES:
            raise ValueError(f"strategy {strategy!r} not in {STRATEGIES}")
        if stats_mode not in STATS_MODES:
            raise ValueError(f"stats_mode {stats_mode!r} not in {STATS_MODES}")
        self.levels, self.stages, self.strategy, self.stats_mode = list(levels), stages, strategy, stats_mode
        self.momentum = momentum
        self.stats = None  # (K, B, C, 2) of the last layernorm forward, detached
        c = len(self.levels)
        if strategy == "scale":
            self.theta = nn.Parameter(torch.zeros(stages))  # s = softplus(0) = ln 2, the reference init
        elif strategy == "layernorm":
            self.gamma = nn.Parameter(torch.ones(stages, c))
            self.beta = nn.Parameter(torch.zeros(stages, c))
            if stats_mode == "running":
                init = torch.stack([torch.zeros(stages, c), torch.ones(stages, c)], dim=-1)
                self.register_buffer("running_stats", init)

    def forward(self, z):
        if self.strategy == "layernorm" and self.stats_mode == "running" and not self.training:
            raise NotImplementedError("eval with running statistics: this reference covers the training step only")
        params = None
        if self.strategy == "scale":
            params = self.theta
        elif self.strategy == "layernorm":
            params = torch.stack([self.gamma, self.beta], dim=1).flatten()  # rfsq_torch's (K, 2, C) layout
        out = rfsq_forward(z, Fsq(self.levels, z.dtype, z.device), self.stages, self.strategy, params,
                           diagnostics=False)
        if out["stats"] is not None:
            self.stats = out["stats"].detach()
            if self.stats_mode == "running" and self.training:
                with torch.no_grad():  # after the output: the batch mean of the per-image (mu, sigma)
                    self.running_stats.mul_(self.momentum).add_((1 - self.momentum) * self.stats.mean(dim=1))
        return out["zhat"], out["idx"], z.new_zeros(())


def _positions(x):
    """(B, C, H, W) -> (B*H*W, C): one row per position."""
    return x.permute(0, 2, 3, 1).reshape(-1, x.shape[1])


class LfqQuantizer(nn.Module):
    """LFQ of docs/BASELINES.md: sign code, MSB-first index, commitment and entropy losses."""

    def __init__(self, bits, commitment_weight=0.0, entropy_weight=0.0, diversity_gamma=2.5, inv_temperature=1.0):
        super().__init__()
        if not 1 <= bits <= 24:
            raise ValueError(f"LFQ needs 1..24 bits (channels), got {bits}")
        self.bits, self.w_c, self.w_e = bits, commitment_weight, entropy_weight
        self.gamma, self.tau = diversity_gamma, inv_temperature

    def codebook(self, dtype, device):
        """(M, C): s_jc = +1 where bit (C-1-c) of j is set, else -1."""
        j = torch.arange(2 ** self.bits, device=device).unsqueeze(1)
        shifts = torch.arange(self.bits - 1, -1, -1, device=device)
        return ((j >> shifts) & 1).to(dtype) * 2 - 1

    def entropy_loss(self, x):
        xn = _positions(x)
        s = self.codebook(x.dtype, x.device)
        logits = -self.tau * ((xn.unsqueeze(1) - s.unsqueeze(0)) ** 2).sum(-1)  # (N, M)
        p = logits.softmax(dim=1)

        def e(q):
            return -q * torch.clamp(q, min=1e-5).log()

        per_sample = e(p).mean()             # (1/(N*M)) sum_n sum_j
        codebook = e(p.mean(dim=0)).mean()   # (1/M) sum_j e(a_j)
        return self.w_e * (per_sample - self.gamma * codebook)

    def forward(self, x):
        if x.shape[1] != self.bits:
            raise ValueError(f"LFQ with {self.bits} bits got {x.shape[1]} channels")
        q = torch.where(x > 0, torch.ones_like(x), -torch.ones_like(x))
        weights = 2 ** torch.arange(self.bits - 1, -1, -1, device=x.device).view(1, -1, 1, 1)
        indices = ((x > 0).to(torch.int64) * weights).sum(dim=1)
        aux = self.w_c * ((x - q) ** 2).mean()
        if self.w_e != 0:
            aux = aux + self.entropy_loss(x)
        return x + (q - x).detach(), indices, aux


class VqEmaQuantizer(nn.Module):
    """VQ-EMA of docs/BASELINES.md. embed.weight is a parameter that never gets a gradient (as the reference's
    nn.Embedding): the optimizer skips it, the EMA update rewrites it in training forwards. dead_threshold t > 0
    restarts, right after the EMA update, every code with cluster_size < t from the batch (t = 0: off)."""

    HASH = 2654435761  # Knuth's multiplicative hash: code j takes position ((j * HASH) mod 2^32) mod N

    def __init__(self, codebook_size, dim, decay=0.99, eps=1e-5, commitment_weight=1.0, dead_threshold=0.0):
        super().__init__()
        if not dead_threshold >= 0:
            raise ValueError(f"dead_threshold must be >= 0, got {dead_threshold}")
        self.m, self.decay, self.eps, self.w_c = codebook_size, decay, eps, commitment_weight
        self.dead_threshold = dead_threshold
        self.embed = nn.Embedding(codebook_size, dim)
        nn.init.uniform_(self.embed.weight, -1 / codebook_size, 1 / codebook_size)
        self.register_buffer("cluster_size", torch.zeros(codebook_size))
        self.register_buffer("embed_avg", self.embed.weight.detach().clone())

    def forward(self, x):
        if x.shape[1] != self.embed.weight.shape[1]:
            raise ValueError(f"VQ of dim {self.embed.weight.shape[1]} got {x.shape[1]} channels")
        b, d, h, w = x.shape
        e = self.embed.weight.detach()
        xn = _positions(x.detach())
        # ||x||^2 is the same for every code: argmin of ||e||^2 - 2 x.e; argmin returns the first (smallest) index
        j = ((e * e).sum(1).unsqueeze(0) - 2 * xn @ e.t()).argmin(dim=1)
        zq = e[j].view(b, h, w, d).permute(0, 3, 1, 2)
        aux = self.w_c * ((x - zq) ** 2).mean()
        if self.training:  # after the output and the loss, which use the codebook from before the update
            with torch.no_grad():
                count = torch.bincount(j, minlength=self.m).to(x.dtype)
                total = torch.zeros_like(e).index_add_(0, j, xn)
                self.cluster_size.mul_(self.decay).add_((1 - self.decay) * count)
                self.embed_avg.mul_(self.decay).add_((1 - self.decay) * total)
                n_tot = self.cluster_size.sum()
                cs = (self.cluster_size + self.eps) / (n_tot + self.m * self.eps) * n_tot
                self.embed.weight.copy_(self.embed_avg / cs.unsqueeze(1))
                if self.dead_threshold > 0:
                    self.restart_dead(xn)
        return x + (zq - x).detach(), j.view(b, h, w), aux

    def restart_dead(self, xn):
        """Dead-code restart of docs/BASELINES.md from xn (N, D), the batch's positions in index order: each code
        with cluster_size < t gets e = x_n(j), embed_avg = t * x_n(j), cluster_size = t."""
        t = self.dead_threshold
        dead = (self.cluster_size < t).nonzero().flatten()  # int64; j < 2^31 so j * HASH < 2^63, no overflow
        if dead.numel() == 0:
            return
        n = (dead * self.HASH) % 2 ** 32 % xn.shape[0]
        src = xn[n]
        self.embed.weight[dead] = src
        self.embed_avg[dead] = t * src
        self.cluster_size[dead] = t


class VqVae(nn.Module):
    """Spec §4: fully convolutional, x4 downsampling, biases everywhere, PyTorch default init."""

    def __init__(self, latent_channels, quantizer):
        super().__init__()
        c = latent_channels
        self.encoder = nn.Sequential(nn.Conv2d(3, 128, 4, 2, 1), nn.ReLU(), nn.Conv2d(128, 256, 4, 2, 1), nn.ReLU(),
                                     nn.Conv2d(256, c, 1))
        self.decoder = nn.Sequential(nn.Conv2d(c, 256, 1), nn.ReLU(), nn.ConvTranspose2d(256, 128, 4, 2, 1),
                                     nn.ReLU(), nn.ConvTranspose2d(128, 3, 4, 2, 1))
        self.quantizer = quantizer

    def forward(self, x):
        """x normalized (B, 3, H, W) -> dict z, zhat, indices, xhat, aux_loss."""
        z = self.encoder(x)
        zhat, indices, aux = self.quantizer(z)
        return {"z": z, "zhat": zhat, "indices": indices, "xhat": self.decoder(zhat), "aux_loss": aux}

