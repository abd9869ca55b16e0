#!/usr/bin/env python3
"""One float64 training step of the reference VQ-VAE, the cross-check for rfsq4j's training (bench/README.md).

  /usr/bin/python3 bench/pytorch/train_step.py --config cfg.json --inputs in.safetensors --out out.safetensors

Inputs: the model's state_dict (float32, loaded strictly) + `batch` (B, 3, H, W) float32 in [0, 1].
Outputs: forward tensors, loss terms, every gradient (before clipping), parameters and buffers after one optimizer
step, all float64 (indices int32). With "lpips_backbone", "lpips_linear" and "lpips_weight" in the config, the loss
adds lpips_weight * mean LPIPS-VGG(denorm(xhat), denorm(x)) fed [0, 1] unscaled, as the reference (lpips_torch.py).
"""
import argparse
import json
import math
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import safetensors_io  # noqa: E402
from vqvae_torch import LfqQuantizer, RfsqQuantizer, VqEmaQuantizer, VqVae  # noqa: E402

COMMON = ("quantizer", "latent_channels", "lr", "beta1", "beta2", "adam_eps", "weight_decay", "decoupled",
          "max_grad_norm", "mean", "std", "l1_weight")
PER_QUANTIZER = {
    "rfsq": ("levels", "stages", "strategy", "stats_mode", "momentum"),
    "lfq": ("lfq_commitment_weight", "lfq_entropy_weight", "lfq_diversity_gamma", "lfq_inv_temperature"),
    "vq-ema": ("codebook_size", "vq_decay", "vq_eps", "vq_commitment_weight", "vq_dead_threshold"),
}
LPIPS = ("lpips_backbone", "lpips_linear", "lpips_weight")
KNOWN = set(COMMON).union(*PER_QUANTIZER.values(), LPIPS)


class ConfigError(ValueError):
    pass


def _get(cfg, key, kind):
    if key not in cfg:
        raise ConfigError(f"config: missing key {key!r}")
    v = cfg[key]
    ok = {"int": type(v) is int, "bool": type(v) is bool, "str": isinstance(v, str),
          "num": type(v) in (int, float) and math.isfinite(v)}[kind]
    if not ok:
        raise ConfigError(f"config: {key!r} = {v!r} is not a finite {kind}")
    return v


def _num3(cfg, key):
    v = cfg.get(key)
    if not (isinstance(v, list) and len(v) == 3 and all(type(a) in (int, float) and math.isfinite(a) for a in v)):
        raise ConfigError(f"config: {key!r} must be a list of 3 finite numbers, got {v!r}")
    return v


def check_config(cfg):
    """Validates cfg (a dict from cfg.json); keys of the other quantizers are allowed and ignored."""
    if not isinstance(cfg, dict):
        raise ConfigError("config: not a JSON object")
    unknown = sorted(set(cfg) - KNOWN)
    if unknown:
        raise ConfigError(f"config: unknown keys {unknown}")
    q = _get(cfg, "quantizer", "str")
    if q not in PER_QUANTIZER:
        raise ConfigError(f"config: quantizer {q!r} not in {sorted(PER_QUANTIZER)}")
    for key in ("lr", "beta1", "beta2", "adam_eps", "weight_decay", "max_grad_norm", "l1_weight"):
        _get(cfg, key, "num")
    if _get(cfg, "latent_channels", "int") < 1:
        raise ConfigError("config: latent_channels must be >= 1")
    _get(cfg, "decoupled", "bool")
    if cfg["max_grad_norm"] < 0:
        raise ConfigError("config: max_grad_norm must be >= 0 (0: no clipping)")
    _num3(cfg, "mean")
    if any(s <= 0 for s in _num3(cfg, "std")):
        raise ConfigError("config: std must be positive")


def build_quantizer(cfg):
    q, c = cfg["quantizer"], cfg["latent_channels"]
    if q == "rfsq":
        if "levels" not in cfg:
            raise ConfigError("config: missing key 'levels'")
        levels = cfg["levels"]
        if not (isinstance(levels, list) and levels and all(type(L) is int and L >= 2 for L in levels)):
            raise ConfigError(f"config: levels must be a non-empty list of ints >= 2, got {levels!r}")
        if len(levels) != c:
            raise ConfigError(f"config: {len(levels)} levels for latent_channels {c}")
        if math.prod(levels) > 2 ** 31 - 1:
            raise ConfigError("config: the codebook (product of levels) must fit int32 indices")
        stages, strategy = _get(cfg, "stages", "int"), _get(cfg, "strategy", "str")
        if stages < 1:
            raise ConfigError("config: stages must be >= 1")
        if strategy != "layernorm":  # stats_mode and momentum only matter for layernorm
            return RfsqQuantizer(levels, stages, strategy)
        mode = _get(cfg, "stats_mode", "str")
        if mode != "running":
            return RfsqQuantizer(levels, stages, strategy, mode)
        momentum = _get(cfg, "momentum", "num")
        if not 0 <= momentum <= 1:
            raise ConfigError(f"config: momentum {momentum} not in [0, 1]")
        return RfsqQuantizer(levels, stages, strategy, mode, momentum)
    if q == "lfq":
        return LfqQuantizer(c, _get(cfg, "lfq_commitment_weight", "num"), _get(cfg, "lfq_entropy_weight", "num"),
                            _get(cfg, "lfq_diversity_gamma", "num"), _get(cfg, "lfq_inv_temperature", "num"))
    m = _get(cfg, "codebook_size", "int")
    if not 1 <= m <= 2 ** 31 - 1:
        raise ConfigError("config: codebook_size must be in [1, 2^31 - 1] (int32 indices)")
    t = _get(cfg, "vq_dead_threshold", "num")
    if t < 0:
        raise ConfigError(f"config: vq_dead_threshold {t} must be >= 0 (0: no dead-code restart)")
    return VqEmaQuantizer(m, c, _get(cfg, "vq_decay", "num"), _get(cfg, "vq_eps", "num"),
                          _get(cfg, "vq_commitment_weight", "num"), float(t))


def build_model(cfg):
    check_config(cfg)
    return VqVae(cfg["latent_channels"], build_quantizer(cfg))


def train_step(cfg, inputs):
    """cfg: dict; inputs: name -> tensor (state_dict entries + batch). Returns name -> tensor (the output file)."""
    model = build_model(cfg)
    inputs = dict(inputs)
    if "batch" not in inputs:
        raise ValueError("inputs: missing 'batch'")
    bad = sorted(k for k, t in inputs.items() if t.dtype != torch.float32)
    if bad:
        raise ValueError(f"inputs: not float32: {bad}")
    batch = inputs.pop("batch")
    if batch.dim() != 4 or batch.shape[1] != 3 or batch.shape[0] < 1 or batch.shape[2] % 4 or batch.shape[3] % 4:
        raise ValueError(f"inputs: batch must be (B, 3, H, W) with H, W multiples of 4, got {tuple(batch.shape)}")
    if not bool(((batch >= 0) & (batch <= 1)).all()):
        raise ValueError("inputs: batch values must lie in [0, 1]")
    model.load_state_dict(inputs, strict=True)  # a wrong name or shape fails here
    model.double().train()

    mean = torch.tensor(cfg["mean"], dtype=torch.float64).view(1, 3, 1, 1)
    std = torch.tensor(cfg["std"], dtype=torch.float64).view(1, 3, 1, 1)
    x = (batch.double() - mean) / std
    out = model(x)
    l1 = (out["xhat"] - x).abs().mean()
    loss = cfg["l1_weight"] * l1 + out["aux_loss"]
    lpips_term = torch.zeros((), dtype=torch.float64)
    if "lpips_backbone" in cfg:
        from lpips_torch import build
        net = build(_get(cfg, "lpips_backbone", "str"), _get(cfg, "lpips_linear", "str"))
        lpips_term = _get(cfg, "lpips_weight", "num") * net(out["xhat"] * std + mean, x * std + mean).mean()
        loss = loss + lpips_term
    if not torch.isfinite(loss):
        raise FloatingPointError(f"loss is {loss.item()}")

    params = dict(model.named_parameters())
    opt_cls = torch.optim.AdamW if cfg["decoupled"] else torch.optim.Adam  # Adam: L2-coupled weight decay
    opt = opt_cls(params.values(), lr=cfg["lr"], betas=(cfg["beta1"], cfg["beta2"]), eps=cfg["adam_eps"],
                  weight_decay=cfg["weight_decay"])
    opt.zero_grad(set_to_none=True)
    loss.backward()
    grads = {f"grad.{n}": p.grad.detach().clone() for n, p in params.items() if p.grad is not None}
    if cfg["max_grad_norm"] > 0:
        torch.nn.utils.clip_grad_norm_([p for p in params.values() if p.grad is not None], cfg["max_grad_norm"])
    opt.step()  # skips parameters without a gradient (VQ-EMA's codebook)

    result = {"x": x, "z": out["z"], "zhat": out["zhat"], "indices": out["indices"].to(torch.int32),
              "xhat": out["xhat"], "loss": loss.view(1), "l1": l1.view(1), "aux_loss": out["aux_loss"].view(1),
              "lpips": lpips_term.detach().view(1)}
    if isinstance(model.quantizer, RfsqQuantizer) and model.quantizer.stats_mode == "parity" \
            and model.quantizer.strategy == "layernorm":
        result["stats"] = model.quantizer.stats
    result.update(grads)
    result.update({f"param.{n}": p for n, p in params.items()})
    result.update({f"buffer.{n}": b for n, b in model.named_buffers()})
    return {k: v.detach().clone() for k, v in result.items()}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config", required=True, help="cfg.json")
    ap.add_argument("--inputs", required=True, help="in.safetensors: state_dict (float32) + batch")
    ap.add_argument("--out", required=True, help="out.safetensors to write")
    args = ap.parse_args(argv)
    with open(args.config) as f:
        cfg = json.load(f)
    inputs, _ = safetensors_io.load(args.inputs)
    result = train_step(cfg, inputs)
    safetensors_io.save(args.out, result, {"config": json.dumps(cfg, sort_keys=True)})


if __name__ == "__main__":
    try:
        main()
    except (ValueError, FloatingPointError, RuntimeError, OSError, NotImplementedError) as e:
        sys.exit(f"train_step.py: error: {e}")
