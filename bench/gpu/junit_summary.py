#!/usr/bin/env python3
"""Summarizes the JUnit XML reports of a GPU round's JUnit step (the console launcher's --reports-dir) in Markdown.

  python3 bench/gpu/junit_summary.py REPORTS_DIR

Prints the counts, every failed test and every skipped test with its reason. Exits 1 when a test failed, when no
test ran, or when a test that the GPU round exists to run was skipped: a CUDA case ("no usable CUDA device") or a
PyTorch cross-check (TorchCrossCheckTest, TorchReferenceSelfTest). Other skips are listed, not fatal.
"""
import glob
import os
import sys
import xml.etree.ElementTree as ET

MUST_RUN = ("TorchCrossCheckTest", "TorchReferenceSelfTest")


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    files = sorted(glob.glob(os.path.join(sys.argv[1], "*.xml")))
    ran = failed = 0
    failures, skipped = [], {}
    for path in files:
        for case in ET.parse(path).getroot().iter("testcase"):
            name = f"{case.get('classname', '?').rsplit('.', 1)[-1]}.{case.get('name', '?')}"
            skip = case.find("skipped")
            fail = case.find("failure") if case.find("failure") is not None else case.find("error")
            if skip is not None:
                reason = (skip.get("message") or (skip.text or "")).strip().splitlines()
                reason = [r.replace("org.opentest4j.TestAbortedException: ", "").replace("Assumption failed: ", "")
                          for r in reason]
                skipped.setdefault(reason[0] if reason else "(no reason given)", []).append(name)
            elif fail is not None:
                failed += 1
                msg = (fail.get("message") or (fail.text or "")).strip().splitlines()
                failures.append(f"{name}: {msg[0] if msg else '(no message)'}")
            else:
                ran += 1
    total_skipped = sum(len(v) for v in skipped.values())
    print(f"JUnit: {ran} passed, {failed} failed, {total_skipped} skipped ({len(files)} report files)")
    for f in failures:
        print(f"- FAILED {f}")
    fatal = []
    for reason, names in sorted(skipped.items()):
        shown = ", ".join(names[:6]) + (f" and {len(names) - 6} more" if len(names) > 6 else "")
        print(f"- skipped {len(names)}: {reason} (in {shown})")
        if "CUDA" in reason or any(n.split(".")[0] in MUST_RUN for n in names):
            fatal.append(f"{len(names)} skipped: {reason}")
    for f in fatal:
        print(f"- THE ROUND NEEDS THESE TO RUN: {f}")
    if not files or ran == 0:
        print("- no test ran")
    sys.exit(1 if failed or fatal or not files or ran == 0 else 0)


if __name__ == "__main__":
    main()
