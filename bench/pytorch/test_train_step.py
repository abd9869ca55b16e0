#!/usr/bin/env python3
"""Self-checks of the PyTorch reference (safetensors_io, vqvae_torch, train_step).

  /usr/bin/python3 -m unittest bench/pytorch/test_train_step.py      (or run this file)
"""
import contextlib
import json
import os
import struct
import subprocess
import sys
import tempfile
import unittest
from unittest import mock

import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import safetensors_io  # noqa: E402
import train_step  # noqa: E402
import vqvae_torch  # noqa: E402
from rfsq_torch import Fsq, rfsq_forward  # noqa: E402

BASE = {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "adam_eps": 1e-8, "weight_decay": 5e-5, "decoupled": False,
        "max_grad_norm": 0, "mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225], "l1_weight": 1.0}


def rfsq_cfg(levels, stages, strategy, stats_mode="parity", **kw):
    return {**BASE, "quantizer": "rfsq", "latent_channels": len(levels), "levels": levels, "stages": stages,
            "strategy": strategy, "stats_mode": stats_mode, "momentum": 0.99, **kw}


LFQ = {**BASE, "quantizer": "lfq", "latent_channels": 12, "lfq_commitment_weight": 0.25, "lfq_entropy_weight": 0.1,
       "lfq_diversity_gamma": 2.5, "lfq_inv_temperature": 1.0}
VQ = {**BASE, "quantizer": "vq-ema", "latent_channels": 8, "codebook_size": 64, "vq_decay": 0.99, "vq_eps": 1e-5,
      "vq_commitment_weight": 1.0, "vq_dead_threshold": 0.0}
# Every preset's quantizer (spec §3) at test size, with the optimizer variants spread over them.
CONFIGS = {
    "2x2048-none": rfsq_cfg([8, 8, 8, 4], 2, "none"),
    "2x2048-scale": rfsq_cfg([8, 8, 8, 4], 2, "scale", decoupled=True, weight_decay=0.01),
    "2x2048-ln-parity": rfsq_cfg([8, 8, 8, 4], 2, "layernorm", max_grad_norm=0.5),
    "2x2048-ln-running": rfsq_cfg([8, 8, 8, 4], 2, "layernorm", "running", decoupled=True, max_grad_norm=0.5),
    "4x1024-none": rfsq_cfg([4, 4, 4, 4, 4], 4, "none"),
    "4x1024-scale": rfsq_cfg([4, 4, 4, 4, 4], 4, "scale"),
    "4x1024-ln-parity": rfsq_cfg([4, 4, 4, 4, 4], 4, "layernorm", decoupled=True),
    "fsq-4096": rfsq_cfg([8, 8, 8, 8], 1, "none", weight_decay=0.0),
    "lfq-12": LFQ,
    "lfq-12-no-aux": {**LFQ, "lfq_commitment_weight": 0.0, "lfq_entropy_weight": 0.0, "max_grad_norm": 1.0},
    "vq-ema-64": {**VQ, "decoupled": True},
    "vq-ema-64-dead": {**VQ, "vq_dead_threshold": 1.0},  # at init every cluster size is 0: (nearly) all dead
}


def make_inputs(cfg, seed, b=2, hw=32):
    """The model's default init, except the latent layer x8 so that latents (std ~1) span many codes."""
    torch.manual_seed(seed)
    model = train_step.build_model(cfg)
    inputs = {k: v.clone() for k, v in model.state_dict().items()}
    for k in ("encoder.4.weight", "encoder.4.bias"):
        inputs[k] *= 8
    inputs["batch"] = torch.rand(b, 3, hw, hw)
    return inputs


def vq_ema_reference(cfg, before, z):
    """VQ-EMA of BASELINES.md by loops: nearest codes (brute-force distances), the EMA update, then the dead-code
    restart. before: the state_dict in float64; z (B, D, H, W). Returns (j, cluster_size, embed_avg, codebook,
    the restarted codes)."""
    b, c, h, w = z.shape
    e = before["quantizer.embed.weight"]
    zn = z.permute(0, 2, 3, 1).reshape(-1, c)
    j = ((zn[:, None] - e[None]) ** 2).sum(-1).argmin(1)
    d, eps, m, t = cfg["vq_decay"], cfg["vq_eps"], cfg["codebook_size"], cfg["vq_dead_threshold"]
    count = torch.zeros(m, dtype=torch.float64)
    total = torch.zeros_like(e)
    for n, jn in enumerate(j.tolist()):
        count[jn] += 1
        total[jn] += zn[n]
    cs = d * before["quantizer.cluster_size"] + (1 - d) * count
    avg = d * before["quantizer.embed_avg"] + (1 - d) * total
    smoothed = (cs + eps) / (cs.sum() + m * eps) * cs.sum()
    embed = avg / smoothed[:, None]
    restarted = []
    if t > 0:
        for code in range(m):
            if cs[code].item() < t:
                n = (code * 2654435761) % 2 ** 32 % (b * h * w)  # Python ints: no overflow
                bb, rest = divmod(n, h * w)  # n = (b*H + h)*W + w
                hh, ww = divmod(rest, w)
                embed[code] = z[bb, :, hh, ww]
                avg[code] = t * z[bb, :, hh, ww]
                cs[code] = t
                restarted.append(code)
    return j, cs, avg, embed, restarted


def rel(a, b):
    return ((a - b).norm() / b.norm().clamp_min(1e-300)).item()


class FrozenRounds:
    """Stands in for rfsq_torch.Fsq. The first forward rounds as usual and records round(f) - f per stage; later
    forwards add the recorded offsets instead of rounding. That surrogate is smooth, and at the recorded point its
    value and exact gradient are the straight-through ones, so finite differences of it check the ST gradients."""

    def __init__(self):
        self.offsets = None

    def __call__(self, levels, dtype, device):
        record = self.offsets is None
        if record:
            self.offsets = []
        offsets = self.offsets

        class Frozen(Fsq):
            stage = 0  # rfsq_forward calls its Fsq once per stage, in order

            def __call__(self, x):
                f = self.bound(x)
                if record:
                    offsets.append((torch.round(f) - f).detach())
                c = offsets[self.stage]
                self.stage += 1
                idx = ((torch.round(f + c).detach() + self.half).long() * self.basis).sum(dim=1)
                return (f + c) / self.half, idx, f.detach()

        return Frozen(levels, dtype, device)


class FrozenMask(nn.Module):
    """ReLU surrogate: x * (mask recorded on the first forward). Same value and gradient at the point, no kinks."""

    def __init__(self):
        super().__init__()
        self.mask = None

    def forward(self, x):
        if self.mask is None:
            self.mask = (x > 0).to(x.dtype)
        return x * self.mask


class FrozenStraightThrough(nn.Module):
    """LFQ / VQ surrogate: output z + (recorded zhat - z), aux loss as is (smooth where the codes do not change)."""

    def __init__(self, inner):
        super().__init__()
        self.inner, self.delta = inner, None

    def forward(self, z):
        zhat, idx, aux = self.inner(z)
        if self.delta is None:
            self.delta = (zhat - z).detach()
        return z + self.delta, idx, aux


class SafetensorsTest(unittest.TestCase):
    def test_round_trip(self):
        tensors = {"f32": torch.randn(2, 3), "f64": torch.randn(4, dtype=torch.float64),
                   "i32": torch.tensor([[1, -2], [3, 2 ** 31 - 1]], dtype=torch.int32),
                   "i64": torch.tensor([-(2 ** 40)]), "scalar": torch.tensor(1.5), "empty": torch.zeros(0, 3)}
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "t.safetensors")
            safetensors_io.save(path, tensors, {"k": "v"})
            back, meta = safetensors_io.load(path)
        self.assertEqual(meta, {"k": "v"})
        self.assertEqual(set(back), set(tensors))
        for k, t in tensors.items():
            self.assertEqual(back[k].dtype, t.dtype, k)
            self.assertEqual(back[k].shape, t.shape, k)
            self.assertTrue(torch.equal(back[k], t), k)

    def write_raw(self, d, header, data):
        text = json.dumps(header).encode()
        path = os.path.join(d, "bad.safetensors")
        with open(path, "wb") as f:
            f.write(struct.pack("<Q", len(text)) + text + data)
        return path

    def test_rejects_malformed(self):
        ok = {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}
        cases = {
            "size mismatch": ({"a": {**ok, "shape": [3]}}, bytes(8)),
            "offsets past the data": ({"a": {**ok, "data_offsets": [0, 16]}}, bytes(8)),
            "gap": ({"a": {**ok, "data_offsets": [8, 16]}}, bytes(16)),
            "overlap": ({"a": ok, "b": ok}, bytes(8)),
            "trailing bytes": ({"a": ok}, bytes(12)),
            "dtype": ({"a": {**ok, "dtype": "BF16"}}, bytes(8)),
            "extra field": ({"a": {**ok, "x": 1}}, bytes(8)),
            "metadata": ({"__metadata__": {"k": 1}, "a": ok}, bytes(8)),
        }
        with tempfile.TemporaryDirectory() as d:
            for name, (header, data) in cases.items():
                with self.subTest(name), self.assertRaises(safetensors_io.SafetensorsError):
                    safetensors_io.load(self.write_raw(d, header, data))
            path = os.path.join(d, "len.safetensors")
            with open(path, "wb") as f:
                f.write(struct.pack("<Q", 1000) + b"{}")
            with self.assertRaises(safetensors_io.SafetensorsError):
                safetensors_io.load(path)
            with open(path, "wb") as f:
                text = b'{"a":{"dtype":"F32","shape":[],"data_offsets":[0,4]},"a":{}}'
                f.write(struct.pack("<Q", len(text)) + text + bytes(4))
            with self.assertRaisesRegex(safetensors_io.SafetensorsError, "duplicate"):
                safetensors_io.load(path)


class ModelTest(unittest.TestCase):
    def test_parameter_count(self):
        for c in (4, 5, 12, 256):
            model = vqvae_torch.VqVae(c, vqvae_torch.LfqQuantizer(12))
            n = sum(p.numel() for name, p in model.named_parameters() if not name.startswith("quantizer."))
            self.assertEqual(n, 1_061_635 + 513 * c)
        full = train_step.build_model(CONFIGS["fsq-4096"])
        self.assertEqual(sum(p.numel() for p in full.parameters()), 1_063_687)

    def test_state_dict_names(self):
        common = [f"{part}.{i}.{w}" for part in ("encoder", "decoder") for i in (0, 2, 4) for w in ("weight", "bias")]
        expected = {
            "2x2048-none": [], "2x2048-scale": ["quantizer.theta"],
            "2x2048-ln-parity": ["quantizer.gamma", "quantizer.beta"],
            "2x2048-ln-running": ["quantizer.gamma", "quantizer.beta", "quantizer.running_stats"],
            "lfq-12": [], "vq-ema-64": ["quantizer.embed.weight", "quantizer.cluster_size", "quantizer.embed_avg"],
        }
        for name, extra in expected.items():
            sd = train_step.build_model(CONFIGS[name]).state_dict()
            self.assertEqual(sorted(sd), sorted(common + extra), name)
        sd = train_step.build_model(CONFIGS["2x2048-ln-running"]).state_dict()
        self.assertEqual(tuple(sd["quantizer.running_stats"].shape), (2, 4, 2))
        self.assertTrue(torch.equal(sd["quantizer.running_stats"][..., 1], torch.ones(2, 4)))


class GradientTest(unittest.TestCase):
    def test_rfsq_quantizer_gradcheck(self):
        """torch.autograd.gradcheck of the quantizer (frozen rounds) in z and its parameters."""
        torch.manual_seed(1)
        for levels, k in (([8, 8, 8, 4], 2), ([4, 4, 4, 4, 4], 4)):
            for strategy in ("none", "scale", "layernorm"):
                q = vqvae_torch.RfsqQuantizer(levels, k, strategy).double()
                with torch.no_grad():
                    for p in q.parameters():
                        p.add_(0.3 * torch.randn_like(p))
                names = [n for n, _ in q.named_parameters()]
                z = torch.randn(2, len(levels), 2, 3, dtype=torch.float64, requires_grad=True)
                ps = [p.detach().clone().requires_grad_() for p in q.parameters()]

                def f(z, *ps):
                    return torch.nn.utils.stateless.functional_call(q, dict(zip(names, ps)), (z,))[0]

                with mock.patch.object(vqvae_torch, "Fsq", FrozenRounds()):
                    self.assertTrue(torch.autograd.gradcheck(f, (z, *ps)), (levels, strategy))

    def test_lfq_aux_gradcheck_and_closed_form(self):
        """LFQ commitment + entropy loss: gradcheck, and autograd against the closed form of BASELINES.md."""
        torch.manual_seed(2)
        lfq = vqvae_torch.LfqQuantizer(4, commitment_weight=0.25, entropy_weight=0.1)
        x = torch.randn(2, 4, 2, 3, dtype=torch.float64, requires_grad=True)
        self.assertTrue(torch.autograd.gradcheck(lambda x: lfq(x)[2], (x,)))
        (dx,) = torch.autograd.grad(lfq.entropy_loss(x), x)
        xn = vqvae_torch._positions(x.detach())
        s = lfq.codebook(x.dtype, x.device)
        n, m = xn.shape[0], s.shape[0]
        p = (-((xn[:, None] - s[None]) ** 2).sum(-1)).softmax(1)

        def de(q):
            return torch.where(q >= 1e-5, -(q.log() + 1), -torch.log(torch.tensor(1e-5, dtype=q.dtype)))

        g = 0.1 * (de(p) - 2.5 * de(p.mean(0))) / (n * m)
        dl = p * (g - (p * g).sum(1, keepdim=True))
        dxn = -2 * (dl[:, :, None] * (xn[:, None] - s[None])).sum(1)
        self.assertLess(rel(vqvae_torch._positions(dx), dxn), 1e-12)

    def test_whole_step_gradients_vs_finite_differences(self):
        """Every grad.<name> of train_step against central differences of the loss: per element for tensors of
        <= 40 (quantizer parameters, small biases), along one random unit direction for the others. The differences are taken on a smooth surrogate that equals the loss, and has the same
        gradient, at the point: rounding offsets (rfsq) or straight-through offsets (lfq, vq) frozen, ReLU masks and
        L1 signs frozen (a kink within h of the point would spoil a difference)."""
        for name, cfg in CONFIGS.items():
            inputs = make_inputs(cfg, seed=3, hw=8)
            out = train_step.train_step(cfg, inputs)
            model = train_step.build_model(cfg)
            model.load_state_dict({k: v for k, v in inputs.items() if k != "batch"})
            model.double()
            for seq in (model.encoder, model.decoder):
                seq[1], seq[3] = FrozenMask(), FrozenMask()
            if cfg["quantizer"] == "rfsq":
                patch = mock.patch.object(vqvae_torch, "Fsq", FrozenRounds())
            else:  # eval: no EMA update between evaluations; LFQ has no mode
                model.quantizer = FrozenStraightThrough(model.quantizer)
                model.eval()
                patch = contextlib.nullcontext()
            x, sign = out["x"], torch.sign(out["xhat"] - out["x"])

            def loss():
                o = model(x)
                return (cfg["l1_weight"] * ((o["xhat"] - x) * sign).mean() + o["aux_loss"]).item()

            gen = torch.Generator().manual_seed(4)
            with patch, torch.no_grad():
                self.assertAlmostEqual(loss(), out["loss"].item(), delta=1e-12)
                for pname, p in model.named_parameters():
                    pname = pname.replace("quantizer.inner.", "quantizer.")
                    if f"grad.{pname}" not in out:
                        self.assertEqual(pname, "quantizer.embed.weight")
                        continue
                    g = out[f"grad.{pname}"]
                    if p.numel() <= 40:  # quantizer parameters, the small biases: every element
                        directions = torch.eye(p.numel(), dtype=torch.float64).view(-1, *p.shape)
                    else:  # one random direction of norm 1: a step of norm h whatever the tensor's size
                        v = torch.randn(p.shape, generator=gen, dtype=torch.float64)
                        directions = [v / v.norm()]
                    p0, h = p.clone(), 1e-5
                    for v in directions:
                        p.copy_(p0 + h * v)
                        up = loss()
                        p.copy_(p0 - h * v)
                        down = loss()
                        p.copy_(p0)
                        fd, ad = (up - down) / (2 * h), (g * v).sum().item()
                        self.assertLess(abs(fd - ad), 1e-6 * g.norm().item() + 1e-11,
                                        f"{name} {pname}: fd {fd} autograd {ad}")


class EndToEndTest(unittest.TestCase):
    def check(self, name, cfg, inputs, out):
        model = train_step.build_model(cfg)
        params = dict(model.named_parameters())
        buffers = dict(model.named_buffers())
        before = {k: v.double() for k, v in inputs.items()}
        b, _, hh, ww = inputs["batch"].shape
        c, h, w = cfg["latent_channels"], hh // 4, ww // 4
        rfsq = cfg["quantizer"] == "rfsq"
        ln_parity = rfsq and cfg["strategy"] == "layernorm" and cfg["stats_mode"] == "parity"
        no_grad = {"quantizer.embed.weight"}
        expected = {"x": (b, 3, hh, ww), "z": (b, c, h, w), "zhat": (b, c, h, w), "xhat": (b, 3, hh, ww),
                    "indices": (b, h, w, cfg["stages"]) if rfsq else (b, h, w), "loss": (1,), "l1": (1,),
                    "aux_loss": (1,), "lpips": (1,)}
        if ln_parity:
            expected["stats"] = (cfg["stages"], b, c, 2)
        expected.update({f"grad.{n}": tuple(p.shape) for n, p in params.items() if n not in no_grad})
        expected.update({f"param.{n}": tuple(p.shape) for n, p in params.items()})
        expected.update({f"buffer.{n}": tuple(t.shape) for n, t in buffers.items()})
        self.assertEqual(sorted(out), sorted(expected), name)
        for k, shape in expected.items():
            self.assertEqual(tuple(out[k].shape), shape, f"{name} {k}")
            self.assertEqual(out[k].dtype, torch.int32 if k == "indices" else torch.float64, f"{name} {k}")

        mean = torch.tensor(cfg["mean"], dtype=torch.float64).view(1, 3, 1, 1)
        std = torch.tensor(cfg["std"], dtype=torch.float64).view(1, 3, 1, 1)
        self.assertTrue(torch.allclose(out["x"], (before["batch"] - mean) / std, rtol=0, atol=1e-15))
        self.assertAlmostEqual(out["loss"].item(), cfg["l1_weight"] * out["l1"].item() + out["aux_loss"].item(),
                               delta=1e-15)
        self.assertAlmostEqual(out["l1"].item(), (out["xhat"] - out["x"]).abs().mean().item(), delta=1e-15)

        z = out["z"]
        if rfsq:  # the quantizer recomputed straight from rfsq_torch with the parameters before the step
            params_flat = None
            if cfg["strategy"] == "scale":
                params_flat = before["quantizer.theta"]
            elif cfg["strategy"] == "layernorm":
                params_flat = torch.stack([before["quantizer.gamma"], before["quantizer.beta"]], dim=1).flatten()
            ref = rfsq_forward(z, cfg["levels"], cfg["stages"], cfg["strategy"], params_flat, diagnostics=False)
            self.assertLess(rel(out["zhat"], ref["zhat"]), 1e-14, name)
            self.assertTrue(torch.equal(out["indices"].long(), ref["idx"]), name)
            self.assertEqual(out["aux_loss"].item(), 0.0)
            if ln_parity:
                self.assertLess(rel(out["stats"], ref["stats"]), 1e-14)
            if "buffer.quantizer.running_stats" in out:
                m = cfg["momentum"]
                want = m * before["quantizer.running_stats"] + (1 - m) * ref["stats"].mean(dim=1)
                self.assertLess(rel(out["buffer.quantizer.running_stats"], want), 1e-14)
        elif cfg["quantizer"] == "lfq":
            self.assertTrue(torch.allclose(out["zhat"], torch.where(z > 0, 1.0, -1.0).double(), rtol=0, atol=1e-15))
            bits = (z > 0).long()
            idx = sum(bits[:, i] << (c - 1 - i) for i in range(c))
            self.assertTrue(torch.equal(out["indices"].long(), idx))
            commit = cfg["lfq_commitment_weight"] * ((z - out["zhat"]) ** 2).mean()
            if cfg["lfq_entropy_weight"] == 0:
                self.assertAlmostEqual(out["aux_loss"].item(), commit.item(), delta=1e-15)
            else:
                self.assertGreater(abs(out["aux_loss"].item() - commit.item()), 0)
        else:
            e = before["quantizer.embed.weight"]
            zn = z.permute(0, 2, 3, 1).reshape(-1, c)
            j, cs, avg, embed, _ = vq_ema_reference(cfg, before, z)
            self.assertTrue(torch.equal(out["indices"].long().flatten(), j))
            self.assertTrue(torch.allclose(out["zhat"].permute(0, 2, 3, 1).reshape(-1, c), e[j], rtol=0, atol=1e-15))
            self.assertAlmostEqual(out["aux_loss"].item(),
                                   cfg["vq_commitment_weight"] * ((zn - e[j]) ** 2).mean().item(), delta=1e-15)
            self.assertLess(rel(out["buffer.quantizer.cluster_size"], cs), 1e-14)
            self.assertLess(rel(out["buffer.quantizer.embed_avg"], avg), 1e-14)
            self.assertLess(rel(out["param.quantizer.embed.weight"], embed), 1e-14)

        # One Adam(W) step from fresh state: m_hat = g, v_hat = g^2, so p -= lr * g / (|g| + eps).
        grads = {n: out[f"grad.{n}"] for n in params if n not in no_grad}
        coef = 1.0
        if cfg["max_grad_norm"] > 0:
            total = torch.stack([g.norm() for g in grads.values()]).norm().item()
            coef = min(1.0, cfg["max_grad_norm"] / (total + 1e-6))
        lr, wd = cfg["lr"], cfg["weight_decay"]
        for n, g in grads.items():
            p, g = before[n], g * coef
            if cfg["decoupled"]:
                want = p * (1 - lr * wd) - lr * g / (g.abs() + cfg["adam_eps"])
            else:
                g = g + wd * p
                want = p - lr * g / (g.abs() + cfg["adam_eps"])
            self.assertLess(rel(out[f"param.{n}"], want), 1e-13, f"{name} {n}")
            self.assertGreater(rel(out[f"param.{n}"], p), 0, f"{name} {n} did not move")

    def test_all_presets(self):
        for i, (name, cfg) in enumerate(CONFIGS.items()):
            inputs = make_inputs(cfg, seed=10 + i)
            with self.subTest(name):
                self.check(name, cfg, inputs, train_step.train_step(cfg, inputs))

    def test_vq_dead_code_restart(self):
        """The restart against the loops of vq_ema_reference: all codes dead (cluster sizes 0 at init, t = 1), some
        dead (random cluster sizes around t), and t = 0, which never restarts (even codes at cluster size 0) and
        gives what it gave before. The restart changes the codebook, cluster_size and embed_avg, nothing else."""
        base = {**VQ, "vq_dead_threshold": 0.0}
        inputs = make_inputs(base, seed=20)
        with mock.patch.object(vqvae_torch.VqEmaQuantizer, "restart_dead", side_effect=AssertionError("called")):
            off = train_step.train_step(base, inputs)  # t = 0: restart_dead is never called
        self.check("t=0", base, inputs, off)
        changed = {"param.quantizer.embed.weight", "buffer.quantizer.cluster_size", "buffer.quantizer.embed_avg"}
        m, n_pos = base["codebook_size"], 2 * 8 * 8

        partial = dict(inputs)  # cluster sizes in [0, 2): about half of them below t = 1 after the update
        partial["quantizer.cluster_size"] = torch.rand(m, generator=torch.Generator().manual_seed(21)) * 2
        for name, t, ins, lo, hi in (("all dead", 1.0, inputs, m, m), ("some dead", 1.0, partial, 8, m - 8),
                                     ("tiny t", 1e-3, inputs, 1, m - 1)):
            with self.subTest(name):
                cfg = {**base, "vq_dead_threshold": t}
                out = train_step.train_step(cfg, ins)
                self.check(name, cfg, ins, out)
                before = {k: v.double() for k, v in ins.items()}
                restarted = vq_ema_reference(cfg, before, out["z"])[4]
                self.assertTrue(lo <= len(restarted) <= hi, f"{name}: {len(restarted)} codes restarted")
                ref = train_step.train_step({**cfg, "vq_dead_threshold": 0.0}, ins)
                self.assertEqual(sorted(out), sorted(ref))
                for k in out:
                    if k not in changed:
                        self.assertTrue(torch.equal(out[k], ref[k]), f"{name}: {k} changed")
                alive = [code for code in range(m) if code not in restarted]
                for k in changed:  # the codes that stay alive are untouched by the restart
                    self.assertTrue(torch.equal(out[k][alive], ref[k][alive]), f"{name}: {k}")
                self.assertTrue(torch.equal(out["buffer.quantizer.cluster_size"][restarted],
                                            torch.full((len(restarted),), t, dtype=torch.float64)))
                zn = out["z"].permute(0, 2, 3, 1).reshape(-1, base["latent_channels"])
                for code in restarted[:3]:  # spelled out for a few codes: the hashed position, t times the latent
                    x = zn[(code * 2654435761) % 2 ** 32 % n_pos]
                    self.assertTrue(torch.equal(out["param.quantizer.embed.weight"][code], x))
                    self.assertTrue(torch.equal(out["buffer.quantizer.embed_avg"][code], t * x))

    def test_cli(self):
        """The command line end to end: files in, file out, the same numbers as in-process."""
        cfg = CONFIGS["2x2048-ln-running"]
        inputs = make_inputs(cfg, seed=5)
        with tempfile.TemporaryDirectory() as d:
            paths = [os.path.join(d, f) for f in ("cfg.json", "in.safetensors", "out.safetensors")]
            with open(paths[0], "w") as f:
                json.dump(cfg, f)
            safetensors_io.save(paths[1], inputs)
            subprocess.run([sys.executable, os.path.join(HERE, "train_step.py"), "--config", paths[0], "--inputs",
                            paths[1], "--out", paths[2]], check=True)
            out, meta = safetensors_io.load(paths[2])
            self.assertEqual(json.loads(meta["config"]), cfg)
            bad = dict(inputs)
            bad["quantizer.gama"] = bad.pop("quantizer.gamma")
            safetensors_io.save(paths[1], bad)
            r = subprocess.run([sys.executable, os.path.join(HERE, "train_step.py"), "--config", paths[0],
                                "--inputs", paths[1], "--out", paths[2]], capture_output=True, text=True)
            self.assertEqual(r.returncode, 1)
            self.assertIn("quantizer.gama", r.stderr)
        self.check("cli", cfg, inputs, out)

    def test_bad_inputs(self):
        cfg = CONFIGS["2x2048-none"]
        inputs = make_inputs(cfg, seed=6, hw=8)
        for key in ("lr", "levels", "quantizer"):
            bad = {k: v for k, v in cfg.items() if k != key}
            with self.assertRaisesRegex(train_step.ConfigError, f"missing key '{key}'"):
                train_step.train_step(bad, inputs)
        with self.assertRaisesRegex(train_step.ConfigError, "unknown keys"):
            train_step.train_step({**cfg, "lr_typo": 1}, inputs)
        with self.assertRaisesRegex(train_step.ConfigError, "levels for latent_channels"):
            train_step.train_step({**cfg, "latent_channels": 5}, inputs)
        with self.assertRaisesRegex(ValueError, r"\[0, 1\]"):
            train_step.train_step(cfg, {**inputs, "batch": inputs["batch"] + 1})
        with self.assertRaisesRegex(RuntimeError, "size mismatch"):
            train_step.train_step(cfg, make_inputs(rfsq_cfg([4, 4, 4, 4, 4], 4, "none"), seed=6, hw=8))
        with self.assertRaisesRegex(ValueError, "not float32"):
            train_step.train_step(cfg, {k: v.double() for k, v in inputs.items()})
        vq = CONFIGS["vq-ema-64"]
        vq_inputs = make_inputs(vq, seed=7, hw=8)
        with self.assertRaisesRegex(train_step.ConfigError, "missing key 'vq_dead_threshold'"):
            train_step.train_step({k: v for k, v in vq.items() if k != "vq_dead_threshold"}, vq_inputs)
        for bad in (-0.5, float("inf"), "1", True, None):
            with self.assertRaisesRegex(train_step.ConfigError, "vq_dead_threshold"):
                train_step.train_step({**vq, "vq_dead_threshold": bad}, vq_inputs)
        train_step.train_step({**vq, "vq_dead_threshold": 2}, vq_inputs)  # an int is a number


if __name__ == "__main__":
    unittest.main()
