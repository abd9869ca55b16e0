#!/usr/bin/env python3
"""The VQ-VAE training step of rfsq4j (TrainStepBench) against PyTorch eager, eager with channels_last, and
torch.compile, on the CPU: the same model (spec §4, vqvae_torch.py), quantizer preset, batch and image size, measured
alternately in one run.

  python3 bench/pytorch/train_compare.py [--preset rfsq-4x1024-none] [--batch 16] [--size 128] [--steps 5]
      [--rounds 3] [--jar bench/target/benchmarks.jar] [--java JAVA] [--peak target/cmake/rfsq_fma_peak] [--out FILE]

A step is what TrainStepBench times: normalize a batch of random images in [0, 1] (ImageNet mean and std), forward,
L1 loss (+ the quantizer's auxiliary loss), backward, one Adam update (lr 8e-4, betas (0.9, 0.999), eps 1e-8, L2
weight decay 5e-5), float32. Each round runs `--steps` timed steps of every contender in a rotating order (PyTorch's
after a warm-up, and compilation, done once; rfsq4j's in a fresh JVM with two warm-up steps, as TrainStepBench
does); each contender gets the median of its rounds. GFLOP/s counts the six convolutions' multiply-adds (x2: forward,
weight gradient, and the input gradient of all but the first layer), the bulk of a step; with --peak the measured FMA
peak (bench/cpu/fma_peak.cpp) is printed beside them.
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from vqvae_torch import RfsqQuantizer, VqVae  # noqa: E402

PRESETS = {  # name -> (levels, stages, strategy), as rfsq4j's Presets
    "rfsq-2x2048-none": ([8, 8, 8, 4], 2, "none"), "rfsq-2x2048-scale": ([8, 8, 8, 4], 2, "scale"),
    "rfsq-2x2048-ln": ([8, 8, 8, 4], 2, "layernorm"), "rfsq-4x1024-none": ([4, 4, 4, 4, 4], 4, "none"),
    "rfsq-4x1024-scale": ([4, 4, 4, 4, 4], 4, "scale"), "rfsq-4x1024-ln": ([4, 4, 4, 4, 4], 4, "layernorm"),
    "fsq-4096": ([8, 8, 8, 8], 1, "none"),
}
MEAN, STD = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)


def conv_flops(c, size):
    """Flops of one image's training step in the six convolutions (spec §4 layer shapes)."""
    h1, h2 = size // 2, size // 4
    macs = [  # (multiply-adds of the forward, whether the input gradient is computed)
        (h1 * h1 * 128 * 3 * 16, False),  # encoder.0, its input is the image
        (h2 * h2 * 256 * 128 * 16, True),  # encoder.2
        (h2 * h2 * c * 256, True),  # encoder.4
        (h2 * h2 * 256 * c, True),  # decoder.0
        (h2 * h2 * 256 * 128 * 16, True),  # decoder.2 (transposed: per input position)
        (h1 * h1 * 128 * 3 * 16, True),  # decoder.4
    ]
    return sum(2 * m * (3 if dx else 2) for m, dx in macs)


def torch_step(preset, batch, size, mode):
    levels, stages, strategy = PRESETS[preset]
    torch.manual_seed(1234)
    model = VqVae(len(levels), RfsqQuantizer(levels, stages, strategy)).train()
    mean = torch.tensor(MEAN).view(1, 3, 1, 1)
    std = torch.tensor(STD).view(1, 3, 1, 1)
    images = torch.rand(batch, 3, size, size, generator=torch.Generator().manual_seed(1))
    if mode == "channels_last":
        model = model.to(memory_format=torch.channels_last)
        images = images.contiguous(memory_format=torch.channels_last)
    opt = torch.optim.Adam(model.parameters(), lr=8e-4, betas=(0.9, 0.999), eps=1e-8, weight_decay=5e-5)

    def loss_of(x):
        x = (x - mean) / std
        out = model(x)
        return (out["xhat"] - x).abs().mean() + out["aux_loss"]

    fn = torch.compile(loss_of) if mode == "compile" else loss_of

    def step():
        opt.zero_grad(set_to_none=True)
        loss = fn(images)
        loss.backward()
        opt.step()
        return loss

    return step


def time_torch(step, steps):
    t0 = time.perf_counter()
    for _ in range(steps):
        step()
    return (time.perf_counter() - t0) / steps


def time_rfsq4j(args):
    cmd = [args.java, "--enable-native-access=ALL-UNNAMED", "-cp", args.jar, "dev.rfsq4j.bench.TrainStepBench", "cpu",
           str(args.batch), str(args.size), "2", str(args.steps), args.preset]
    out = subprocess.run(cmd, capture_output=True, text=True)
    m = re.search(r"\(([0-9.]+) ms/step over", out.stdout)
    if out.returncode != 0 or not m:
        sys.exit(f"TrainStepBench failed ({out.returncode}): {out.stdout}{out.stderr}")
    return float(m.group(1)) / 1e3, out.stdout.strip()


def peak(path):
    if not path:
        return None
    out = subprocess.run([path, "1", "3"], capture_output=True, text=True)
    return out.stdout.strip() if out.returncode == 0 else f"{path} failed: {out.stderr}"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--preset", default="rfsq-4x1024-none", choices=sorted(PRESETS))
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--size", type=int, default=128)
    ap.add_argument("--steps", type=int, default=5, help="timed steps per contender and round")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--jar", default="bench/target/benchmarks.jar")
    ap.add_argument("--java", default=os.path.join(os.environ.get("JAVA_HOME", "/usr/lib/jvm/temurin-25-jdk-amd64"),
                                                   "bin", "java"))
    ap.add_argument("--peak", help="the rfsq_fma_peak binary (bench/cpu/fma_peak.cpp), run before and after")
    ap.add_argument("--out", help="write the Markdown table here too")
    args = ap.parse_args()

    peak_before = peak(args.peak)
    load0 = os.getloadavg()[0]
    contenders = {}
    for mode in ("eager", "channels_last", "compile"):
        step = torch_step(args.preset, args.batch, args.size, mode)
        t0 = time.perf_counter()
        for _ in range(2):  # warm-up (and compilation)
            step()
        print(f"torch {mode}: warm-up {time.perf_counter() - t0:.1f} s", flush=True)
        contenders[f"PyTorch {torch.__version__} {mode}"] = lambda s=step: time_torch(s, args.steps)
    contenders["rfsq4j (TrainStepBench)"] = lambda: time_rfsq4j(args)[0]
    names = list(contenders)
    times = {n: [] for n in names}
    for r in range(args.rounds):
        for k in range(len(names)):
            n = names[(r + k) % len(names)]
            time.sleep(0.5)  # the previous contender's idle OpenMP threads stop spinning
            times[n].append(contenders[n]())
            print(f"round {r + 1}: {n}: {times[n][-1] * 1e3:.1f} ms/step (load {os.getloadavg()[0]:.2f})", flush=True)
    load1 = os.getloadavg()[0]
    flops = conv_flops(len(PRESETS[args.preset][0]), args.size) * args.batch
    med = {n: statistics.median(t) for n, t in times.items()}
    ours = med["rfsq4j (TrainStepBench)"]
    best_torch = min(v for n, v in med.items() if n.startswith("PyTorch"))
    md = [f"### Training step, {args.preset}, batch {args.batch} at {args.size}x{args.size}, CPU "
          f"({os.cpu_count()} cores), {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
          "",
          f"Median of {args.rounds} rounds of {args.steps} steps, contenders alternating; load average {load0:.2f} "
          f"before, {load1:.2f} after. GFLOP/s: the six convolutions' {flops / 1e9:.1f} GFLOP per step.",
          "",
          "| contender | ms/step | images/s | GFLOP/s | rfsq4j speedup |",
          "|---|---:|---:|---:|---:|"]
    for n in names:
        md.append(f"| {n} | {med[n] * 1e3:.1f} | {args.batch / med[n]:.1f} | {flops / med[n] / 1e9:.1f} | "
                  f"{med[n] / ours:.2f}x |")
    goal = best_torch / ours
    md += ["", f"rfsq4j vs the best PyTorch option: {goal:.2f}x (goal of issue 12: >= 1.5x: "
               f"{'met' if goal >= 1.5 else 'NOT met'})."]
    if peak_before:
        md += ["", "Measured FMA peak (rfsq_fma_peak 1 3) before the run:", "```", peak_before, "```",
               "after:", "```", peak(args.peak), "```"]
    text = "\n".join(md) + "\n"
    print("\n" + text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
