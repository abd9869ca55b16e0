#!/usr/bin/env python3
"""librfsq against the plain PyTorch RFSQ of rfsq_torch.py: correctness always, timings with --bench.

  python3 bench/pytorch/compare.py LIBRFSQ.so [--device auto|cpu|cuda] [--bench] [--out FILE]

Correctness: forward zhat, indices, stats, rnorm and backward dz, dparams of the library (float32) against
PyTorch autograd in float64 on random inputs; exits 1 beyond tolerance. Indices may differ only where the
float64 value lies within 1e-3 of a rounding boundary; an image with such a flip leaves the value comparisons.
Bench: per-call time of PyTorch eager, torch.compile (where present) and librfsq, forward and forward+backward,
batch 128 at 32x32, the three measured alternately burst by burst; prints a Markdown table with the ratios and
whether issue 12's goals are met (and writes it to --out).
"""
import argparse
import ctypes
import os
import re
import statistics
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rfsq_torch import STRATEGIES, Fsq, param_count, rfsq_forward  # noqa: E402

PRESETS = {"2x2048": ([8, 8, 8, 4], 2), "4x1024": ([4, 4, 4, 4, 4], 4)}
TOL = 1e-4          # relative L2 error; float32 arithmetic lands far below it
NEAR_BOUNDARY = 1e-3


class Levels(ctypes.Structure):
    _fields_ = [("count", ctypes.c_int32), ("levels", ctypes.c_int32 * 16)]


class Cfg(ctypes.Structure):
    _fields_ = [("levels", Levels), ("stages", ctypes.c_int32), ("strategy", ctypes.c_int32)]


def make_cfg(levels, stages, strategy):
    lv = Levels(len(levels), (ctypes.c_int32 * 16)(*levels))
    return Cfg(lv, stages, STRATEGIES.index(strategy))


HEADER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "native", "include", "rfsq.h")


def header_abi(path, sigs):
    """RFSQ_ABI_VERSION of rfsq.h, after checking that the header declares each entry point of sigs with parameters
    of the kinds given there (pointer, 32-bit or 64-bit integer): the ctypes declarations below follow the header."""
    with open(path) as f:
        text = f.read()
    m = re.search(r"#define RFSQ_ABI_VERSION (\d+)", text)
    if not m:
        raise ValueError(f"{path}: no RFSQ_ABI_VERSION")
    kinds = {ctypes.c_void_p: "ptr", ctypes.c_int32: "i32", ctypes.c_int64: "i64"}
    for name, args in sigs.items():
        d = re.search(r"^int " + name + r"\((.*)\);$", text, re.M)
        if not d:
            raise ValueError(f"{path} does not declare {name}")
        params = [p.strip() for p in d.group(1).split(",") if p.strip() not in ("", "void")]
        have = ["ptr" if "*" in p else "i64" if p.startswith("int64_t") else "i32" if p.startswith("int32_t") else p
                for p in params]
        want = [kinds.get(a, "ptr") for a in args]
        if have != want:
            raise ValueError(f"{path}: {name}({', '.join(params)}) no longer matches compare.py's declaration {want}")
    return int(m.group(1))


class Lib:
    """The few rfsq.h entry points used here; every call is checked."""

    def __init__(self, path):
        self.so = ctypes.CDLL(os.path.abspath(path))
        P, I32, I64, INT = ctypes.c_void_p, ctypes.c_int32, ctypes.c_int64, ctypes.c_int
        self.sigs = sigs = {
            "rfsq_abi_version": [],
            "rfsq_cuda_device_count": [ctypes.POINTER(I32)],
            "rfsq_ctx_create": [I32, ctypes.POINTER(P)],
            "rfsq_ctx_destroy": [P],
            "rfsq_ctx_sync": [P],
            "rfsq_ctx_cpu_isa": [P, ctypes.POINTER(I32)],
            "rfsq_rfsq_forward": [P, ctypes.POINTER(Cfg), P, I64, I64, I64, P, P, P, P, P, P],
            "rfsq_rfsq_backward": [P, ctypes.POINTER(Cfg), P, I64, I64, I64, P, P, P, P],
        }
        for name, args in sigs.items():
            fn = getattr(self.so, name)
            fn.argtypes, fn.restype = args, INT
        self.so.rfsq_last_error.argtypes, self.so.rfsq_last_error.restype = [], ctypes.c_char_p

    def __getattr__(self, name):
        fn = getattr(self.so, "rfsq_" + name)

        def checked(*args):
            rc = fn(*args)
            if rc != 0:
                raise RuntimeError(f"rfsq_{name} returned {rc}: {self.so.rfsq_last_error().decode()}")
            return rc

        return checked

    def cpu_isa(self, ctx):
        isa = ctypes.c_int32(-1)
        self.ctx_cpu_isa(ctx, ctypes.byref(isa))
        return {0: "baseline", 1: "avx2", 2: "avx512"}.get(isa.value, str(isa.value))

    def cuda_devices(self):
        n = ctypes.c_int32(0)
        return n.value if self.so.rfsq_cuda_device_count(ctypes.byref(n)) == 0 else 0

    def context(self, device):
        ctx = ctypes.c_void_p()
        self.ctx_create(device, ctypes.byref(ctx))
        return ctx


def ptr(t):
    return None if t is None else ctypes.c_void_p(t.data_ptr())


def random_case(levels, stages, strategy, shape, seed):
    """Random z and dzhat (N(0,1)) and parameters near their init, so that a wrong parameter layout shows."""
    g = torch.Generator().manual_seed(seed)
    z = torch.randn(shape, generator=g, dtype=torch.float64)
    dzhat = torch.randn(shape, generator=g, dtype=torch.float64)
    u = torch.rand(param_count(levels, stages, strategy), generator=g, dtype=torch.float64) - 0.5
    if strategy == "scale":
        params = u
    elif strategy == "layernorm":
        params = (0.4 * u).view(stages, 2, len(levels))
        params[:, 0] += 1  # gamma near 1, beta near 0
        params = params.flatten()
    else:
        params = None
    return z, dzhat, params


def rel(got, want):
    err = ((got.double() - want).norm() / want.norm().clamp_min(1e-300)).item()
    return err if err == err else float("inf")  # NaN (an unwritten, poisoned output) never passes


class Run:
    """One library forward + backward on device tensors; outputs start poisoned (NaN, -1)."""

    def __init__(self, lib, ctx, cfg, levels, stages, strategy, z, dzhat, params, dev):
        b, c, h, w = z.shape
        f32 = dict(dtype=torch.float32, device=dev)
        self.z, self.dzhat = z.to(**f32).contiguous(), dzhat.to(**f32).contiguous()
        self.params = None if params is None else params.to(**f32).contiguous()
        self.zhat = torch.full((b, c, h, w), float("nan"), **f32)
        self.idx = torch.full((b, h, w, stages), -1, dtype=torch.int32, device=dev)
        self.stats = torch.full((stages, b, c, 2), float("nan"), **f32) if strategy == "layernorm" else None
        self.rnorm = torch.full((b, stages), float("nan"), **f32)
        self.dz = torch.full((b, c, h, w), float("nan"), **f32)
        self.dparams = None if params is None else torch.full_like(self.params, float("nan"))
        self.lib, self.ctx, self.cfg, self.shape = lib, ctx, cfg, (b, h, w)

    def forward(self, stats=True, rnorm=True):
        b, h, w = self.shape
        self.lib.rfsq_forward(self.ctx, ctypes.byref(self.cfg), ptr(self.z), b, h, w, ptr(self.params), None,
                              ptr(self.zhat), ptr(self.idx), ptr(self.stats if stats else None),
                              ptr(self.rnorm if rnorm else None))

    def backward(self):
        b, h, w = self.shape
        self.lib.rfsq_backward(self.ctx, ctypes.byref(self.cfg), ptr(self.z), b, h, w, ptr(self.params),
                               ptr(self.dzhat), ptr(self.dz), ptr(self.dparams))


def check(lib, ctx, dev):
    shapes = [(4, 32, 32), (3, 7, 5)]  # the odd one exercises tails and partial blocks
    failures, seed = [], 1234
    print(f"relative L2 errors, the largest absolute error of any output, index flips near a boundary")
    print(f"{'case':28} {'zhat':>8} {'stats':>8} {'rnorm':>8} {'dz':>8} {'dparams':>8} {'max abs':>8}  indices")
    for name, (levels, stages) in PRESETS.items():
        for strategy in STRATEGIES:
            for b, h, w in shapes:
                seed += 1
                c = len(levels)
                z, dzhat, params = random_case(levels, stages, strategy, (b, c, h, w), seed)
                cfg = make_cfg(levels, stages, strategy)
                run = Run(lib, ctx, cfg, levels, stages, strategy, z, dzhat, params, dev)
                if dev.type == "cuda":
                    torch.cuda.synchronize()  # the library's stream does not wait for PyTorch's
                run.forward()
                run.backward()
                lib.ctx_sync(ctx)

                zr = z.clone().requires_grad_()
                pr = None if params is None else params.clone().requires_grad_()
                ref = rfsq_forward(zr, levels, stages, strategy, pr)
                inputs = [zr] + ([pr] if pr is not None else [])
                grads = torch.autograd.grad(ref["zhat"], inputs, dzhat)

                # Index flips: allowed only where the reference sits within NEAR_BOUNDARY of a boundary at the
                # first differing stage (after it the residuals differ); such images leave the value checks.
                idx, ridx = run.idx.cpu().long(), ref["idx"]
                margin = torch.cummin(ref["margin"], dim=-1).values
                diff = idx != ridx
                first = diff & (torch.cumsum(diff.int(), dim=-1) == 1)
                bad = first & (margin >= NEAR_BOUNDARY)
                flipped = diff.flatten(1).any(dim=1)
                keep = ~flipped
                case = f"{name} {strategy} {b}x{h}x{w}"
                if int(first.sum()) > max(1, first[..., 0].numel() // 1000):
                    failures.append(f"{case}: {int(first.sum())} positions flip an index (over 0.1%)")
                if bad.any():
                    at = bad.nonzero()[0].tolist()
                    failures.append(f"{case}: index {at}: got {idx[tuple(at)].item()}, want {ridx[tuple(at)].item()}"
                                    f" (margin {margin[tuple(at)].item():.2e})")
                pairs = {
                    "zhat": (run.zhat.cpu()[keep], ref["zhat"].detach()[keep]),
                    "stats": (run.stats.cpu()[:, keep], ref["stats"].detach()[:, keep]) if run.stats is not None
                    else None,
                    "rnorm": (run.rnorm.cpu()[keep], ref["rnorm"][keep]),
                    "dz": (run.dz.cpu()[keep], grads[0][keep]),
                    # dparams sums over the batch: compared only when no image flipped
                    "dparams": (run.dparams.cpu(), grads[1]) if pr is not None and not flipped.any() else None,
                }
                errs = {k: None if p is None else rel(*p) for k, p in pairs.items()}
                max_abs = max([(p[0].double() - p[1]).abs().max().item() for p in pairs.values()
                               if p is not None and p[1].numel()] or [0.0])
                for k, e in errs.items():
                    if e is not None and not e < TOL:
                        failures.append(f"{case}: {k} relative error {e:.2e} > {TOL:.0e}")
                cols = " ".join(f"{'-' if e is None else f'{e:.1e}':>8}" for e in errs.values())
                print(f"{case:28} {cols} {max_abs:8.1e}  {int(diff.sum())} differ, {int(flipped.sum())} images out")
    return failures


# Before each burst: PyTorch and librfsq each bring an OpenMP runtime, whose idle threads spin for up to ~20 ms
# after a parallel region (libgomp's default spin count, ~140 cycles per pause on recent x86) before they sleep; on
# 2 cores a burst started right after the other library's would share the cores with those spinning threads.
PAUSE = 0.1


def timer(dev, lib, ctx, rounds):
    """Per-call times (us) of several implementations of one row, measured alternately: each is warmed up and
    calibrated to bursts of back-to-back calls lasting >= 20 ms, then `rounds` rounds run one burst of each, in a
    rotating order, each after a pause of PAUSE s, and each gets the median of its bursts. So a change of machine
    load hits all of them alike.
    CUDA: events on PyTorch's stream, and our bursts end with rfsq_ctx_sync (the library runs on its own stream).
    CPU: the host clock."""

    def burst(fn, ours, first, calls, sets):
        if dev.type == "cuda":
            torch.cuda.synchronize()
            lib.ctx_sync(ctx)
            start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            start.record()
            for i in range(calls):
                fn((first + i) % sets)
            if ours:
                lib.ctx_sync(ctx)
            end.record()
            end.synchronize()
            return start.elapsed_time(end) * 1e3 / calls
        t0 = time.perf_counter()
        for i in range(calls):
            fn((first + i) % sets)
        return (time.perf_counter() - t0) * 1e6 / calls

    def alternate(entries, sets):
        """entries: (fn, ours) pairs, None for a missing column; returns the median us per call of each."""
        calls = []
        for e in entries:
            if e is None:
                calls.append(0)
                continue
            time.sleep(PAUSE)
            burst(*e, 0, 3, sets)  # warm-up
            one = min(burst(*e, 0, 1, sets) for _ in range(3))
            calls.append(max(1, min(500, int(20000 / one) + 1)))
        times = [[] for _ in entries]
        live = [i for i, e in enumerate(entries) if e is not None]
        for r in range(rounds):
            for k in range(len(live)):
                i = live[(r + k) % len(live)]
                time.sleep(PAUSE)
                times[i].append(burst(*entries[i], r * calls[i], calls[i], sets))
        return [statistics.median(t) if t else None for t in times]

    return alternate


def bench(lib, ctx, dev, compile_budget, rounds):
    b, h, w = 128, 32, 32
    alternate = timer(dev, lib, ctx, rounds)
    l2 = getattr(torch.cuda.get_device_properties(dev), "L2_cache_size", 50 << 20) if dev.type == "cuda" else 0
    has_compile = hasattr(torch, "compile")
    if not has_compile:
        print(f"torch {torch.__version__} has no torch.compile: that column is skipped")
    compile_spent, rows = 0.0, []
    for name, (levels, stages) in PRESETS.items():
        c = len(levels)
        sets = max(3, -(-2 * l2 // (3 * 4 * b * c * h * w)))  # rotate inputs over at least 2x L2
        for strategy in STRATEGIES:
            cfg = make_cfg(levels, stages, strategy)
            cases = [random_case(levels, stages, strategy, (b, c, h, w), 100 + s) for s in range(sets)]
            runs = [Run(lib, ctx, cfg, levels, stages, strategy, *cs, dev) for cs in cases]
            tz = [r.z.clone().requires_grad_() for r in runs]
            tp = [None if r.params is None else r.params.clone().requires_grad_() for r in runs]

            fsq = Fsq(levels, torch.float32, dev)

            def fwd(z, p):
                out = rfsq_forward(z, fsq, stages, strategy, p, diagnostics=False)
                return out["zhat"], out["idx"], out["stats"]

            def torch_fwd(f):
                def run(s):
                    with torch.no_grad():
                        f(tz[s], tp[s])
                return run

            def torch_fwd_bwd(f):
                def run(s):
                    zhat = f(tz[s], tp[s])[0]
                    torch.autograd.grad(zhat, [x for x in (tz[s], tp[s]) if x is not None], runs[s].dzhat)
                return run

            def ours_fwd(s):
                runs[s].forward(stats=strategy == "layernorm", rnorm=False)

            def ours_fwd_bwd(s):
                ours_fwd(s)
                runs[s].backward()

            compiled = None
            if has_compile and compile_spent < compile_budget:
                # Every case compiles the same code object with other closure values: without a reset, dynamo's
                # recompile limit (8) would silently fall back to eager for the last cases.
                torch._dynamo.reset()
                compiled = torch.compile(fwd, mode="default", dynamic=False)
            for pass_name, make_torch, ours in (("fwd", torch_fwd, ours_fwd), ("fwd+bwd", torch_fwd_bwd, ours_fwd_bwd)):
                comp_entry = None
                if compiled is not None and compile_spent < compile_budget:
                    t0 = time.perf_counter()
                    try:
                        make_torch(compiled)(0)  # compiles; the timer's own warm-up then runs it
                        comp_entry = (make_torch(compiled), False)
                    except Exception as e:  # a compiler failure costs the column, not the table
                        print(f"torch.compile failed for {name} {strategy} {pass_name}: {type(e).__name__}: {e}")
                        compiled = None
                    compile_spent += time.perf_counter() - t0
                eager, comp, mine = alternate([(make_torch(fwd), False), comp_entry, (ours, True)], sets)
                rows.append((name, strategy, pass_name, eager, comp, mine))
                print(f"  {name} {strategy} {pass_name}: eager {eager:.1f} us, compile "
                      f"{'-' if comp is None else f'{comp:.1f} us'}, rfsq4j {mine:.1f} us", flush=True)
    if has_compile and compile_spent >= compile_budget:
        print(f"torch.compile: budget of {compile_budget:.0f} s spent; later rows have no compile column")
    return rows


GOALS = {"fwd": 2.0, "fwd+bwd": 1.5}  # issue 12: rfsq4j at least this many times faster than torch.compile


def table(rows, dev, rounds, isa, load):
    where = torch.cuda.get_device_name(dev) if dev.type == "cuda" else f"{cpu_name()} ({os.cpu_count()} cores)"
    md = [f"### compare.py --bench: {where}, torch {torch.__version__}, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
          "",
          f"Batch 128 at 32x32, float32, random inputs rotating over at least 2x L2; librfsq's CPU kernels: {isa}; "
          f"load average {load[0]:.2f} before, {load[1]:.2f} after. Per-call time: median of {rounds} bursts of "
          "back-to-back calls, each >= 20 ms, PyTorch eager, torch.compile and rfsq4j alternating burst by burst, a "
          f"{PAUSE:.1f} s pause before each (the other library's idle OpenMP threads stop spinning) "
          "(CUDA events; our bursts end with rfsq_ctx_sync; on a CPU the host clock). PyTorch computes zhat, indices "
          "and (layernorm) stats like ours; fwd+bwd = forward + autograd.grad wrt z and params. Goal (issue 12): "
          "compile / rfsq4j >= 2 for fwd, >= 1.5 for fwd+bwd.",
          "",
          "| config | strategy | pass | eager (us) | compile (us) | rfsq4j (us) | eager / rfsq4j | compile / rfsq4j | goal |",
          "|---|---|---|---:|---:|---:|---:|---:|---|"]
    for name, strategy, pass_name, eager, comp, mine in rows:
        c_us = "-" if comp is None else f"{comp:.1f}"
        c_ratio = "-" if comp is None else f"{comp / mine:.2f}x"
        goal = "-" if comp is None else ("met" if comp / mine >= GOALS[pass_name] else "NOT met")
        md.append(f"| {name} | {strategy} | {pass_name} | {eager:.1f} | {c_us} | {mine:.1f} | {eager / mine:.2f}x | "
                  f"{c_ratio} | {goal} |")
    return "\n".join(md) + "\n"


def cpu_name():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "CPU"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("lib", help="path to librfsq.so")
    ap.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto")
    ap.add_argument("--bench", action="store_true", help="also time PyTorch eager, torch.compile and librfsq")
    ap.add_argument("--compile-budget", type=float, default=240, help="seconds of torch.compile compilation at most")
    ap.add_argument("--rounds", type=int, default=9, help="alternating bursts per implementation and row")
    ap.add_argument("--out", help="write the bench table here too")
    args = ap.parse_args()

    torch.manual_seed(1234)
    lib = Lib(args.lib)
    # The library's version must be the one of this checkout's rfsq.h, whose declarations compare.py follows.
    try:
        want = header_abi(HEADER, lib.sigs)
    except (OSError, ValueError) as e:
        sys.exit(f"compare.py: cannot check the ABI against rfsq.h: {e}")
    have = lib.so.rfsq_abi_version()
    if have != want:
        sys.exit(f"{args.lib}: ABI version {have}, but this checkout's rfsq.h declares {want}: "
                 "build the library from this checkout")
    gpu = lib.cuda_devices() > 0 and torch.cuda.is_available()
    if args.device == "cuda" and not gpu:
        sys.exit("--device cuda: no CUDA device usable by both librfsq and torch")
    use_gpu = gpu if args.device == "auto" else args.device == "cuda"
    dev = torch.device("cuda:0" if use_gpu else "cpu")
    ctx = lib.context(0 if use_gpu else -1)
    print(f"librfsq {args.lib} (ABI {have}) on {'CUDA device 0' if use_gpu else 'a CPU context'}; torch {torch.__version__}")
    try:
        failures = check(lib, ctx, dev)
        for f in failures:
            print("FAIL", f)
        print("correctness:", "FAILED" if failures else "ok")
        if args.bench and not failures:
            load = os.getloadavg()[0]
            rows = bench(lib, ctx, dev, args.compile_budget, args.rounds)
            md = table(rows, dev, args.rounds, lib.cpu_isa(ctx) if not use_gpu else "-", (load, os.getloadavg()[0]))
            print("\n" + md)
            if args.out:
                with open(args.out, "w") as f:
                    f.write(md)
    finally:
        lib.ctx_destroy(ctx)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
