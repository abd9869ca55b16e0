#!/usr/bin/env bash
# One GPU round in two commands of about 5 minutes each (bench/gpu/README.md says how to run them):
#   bash bench/gpu/round.sh A   machine and driver facts, build for sm_90, ctest (CUDA cases), compute-sanitizer
#                               memcheck and racecheck over chosen native test cases, JUnit on the CUDA backend
#                               (PyTorch cross-checks included, through RFSQ_PYTHON); returns the build for B
#   bash bench/gpu/round.sh B   benchmarks: the native CUDA bench, TrainStepBench, ConvLayerBench, compare.py
#                               (correctness, PyTorch eager and a short torch.compile budget)
# Needs .gpu/ from bench/gpu/prepare.sh (Java runtime, jars, oneDNN); B reuses A's build from .gpu/built/ when its
# sources match, else builds. Every step runs even if an earlier one failed, under a time cap that also keeps the
# part within ROUND_BUDGET_S (default 360 s); a step that would start with under 15 s left is skipped and counts as
# failed. Each step streams its output into $OUT/round.log and, when it ends, rewrites $OUT/round.md (the summary),
# so a command cut off early still returns everything done so far. A step fails loudly when what it exists to run
# did not run (no GPU, CUDA cases skipped, a PyTorch cross-check skipped, a comparison that could not start);
# steps that can run without a GPU do (so a dry run on a CPU machine checks them) and then fail for that reason.
# The exit status is non-zero if any step failed.
set -u
PART=${1:-}
case "$PART" in
A | B) ;;
*)
    echo "usage: bash bench/gpu/round.sh A|B   (see bench/gpu/README.md)" >&2
    exit 2
    ;;
esac
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
OUT=${OUT:-$ROOT/bench/gpu/out}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
G=$ROOT/.gpu
BUILD=$ROOT/build/gpu-round  # git-ignored: kept while the machine stays warm
LIB=$BUILD/out/librfsq.so
BENCH=$BUILD/bench/cuda/rfsq_cuda_bench
W=$(mktemp -d /tmp/round.XXXXXX)  # per-step logs and tables
LOG=$OUT/round.log
MD=$OUT/round.md
BUDGET=${ROUND_BUDGET_S:-360}
T0=$(date +%s)
RESULTS=()
FAILED=0
: >"$LOG"

# The sources a build depends on, hashed, so that B can tell whether A's build (carried back) is this tree's.
source_hash() {
    find native bench/cuda CMakeLists.txt -type f \( -name '*.h' -o -name '*.cpp' -o -name '*.cu' -o -name '*.txt' \
        -o -name '*.map' -o -name '*.cmake' \) -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16
}

summary() {
    {
        echo "# GPU round, part $PART: $(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>/dev/null | head -1 || true)"
        echo
        echo "Date: $(date -u '+%Y-%m-%d %H:%M UTC'). Host: $(nproc) CPU cores, kernel $(uname -r). Part total so far $(($(date +%s) - T0)) s of $BUDGET."
        echo "Source: $(sed -n 2p "$G/MANIFEST.txt" 2>/dev/null || echo 'no .gpu/MANIFEST.txt'); native sources $(source_hash)."
        echo "Command: \`bash bench/gpu/round.sh $PART\` (every step's whole output is in round.log)."
        echo
        echo "| step | command | result | seconds |"
        echo "|---|---|---|---:|"
        printf '%s\n' "${RESULTS[@]}"
        echo
        if [ "$PART" = A ]; then
            echo "## Tests"
            echo
            echo '```'
            grep -hE 'tests passed|tests failed|Total Test time|SKIPPED|FAIL' "$W/ctest.log" 2>/dev/null | head -20
            grep -hE 'ERROR SUMMARY|RACECHECK SUMMARY|passed, [0-9]+ failed' "$W"/memcheck.log "$W"/racecheck.log 2>/dev/null
            echo '```'
            echo
            cat "$W/junit_summary.md" 2>/dev/null || echo "(no JUnit summary: see the junit step)"
        else
            echo "## Native CUDA benchmark (bench/cuda/rfsq_bench.cu)"
            echo
            grep '^check' "$W/cuda_bench.log" 2>/dev/null
            echo
            cat "$W/cuda_bench.md" 2>/dev/null || echo "(no table: see the cuda_bench step)"
            echo
            echo "## Training steps (TrainStepBench: normalize, forward, L1 loss, backward, Adam; batch 128, 128x128)"
            echo
            echo '```'
            cat "$W/train_bench.txt" 2>/dev/null || echo "(none: see the train_bench step)"
            echo '```'
            echo
            echo "## Evaluation (EvalBench: metrics, LPIPS distance, LPIPS forward+backward; 128x128; random VGG16)"
            echo
            echo '```'
            cat "$W/eval_bench.txt" 2>/dev/null || echo "(none: see the eval_bench step)"
            echo '```'
            echo
            echo "## The data loader from shards (LoaderBench, batch 128, 128x128, this machine's CPU cores)"
            echo
            echo '```'
            cat "$W/loader_bench.txt" 2>/dev/null || echo "(none: see the loader_bench step)"
            echo '```'
            echo
            echo "## The six convolutions (ConvLayerBench, cuDNN, batch 128, 128x128)"
            echo
            echo '```'
            cat "$W/conv_bench.txt" 2>/dev/null || echo "(none: see the conv_bench step)"
            echo '```'
            echo
            echo "## librfsq against PyTorch (bench/pytorch/compare.py)"
            echo
            echo '```'
            grep -E '^(librfsq|case|[0-9]x[0-9]+ |FAIL|correctness|torch.compile)' "$W/compare.log" 2>/dev/null
            echo '```'
            echo
            cat "$W/compare.md" 2>/dev/null || echo "(no table: see the compare step)"
        fi
    } >"$MD.tmp" && mv "$MD.tmp" "$MD"
}

# step NAME CAP_SECONDS COMMAND: runs COMMAND (a bash string, -e -o pipefail) under a cap that also respects the part's budget,
# streaming its output into round.log and $W/NAME.log, then records the outcome and rewrites round.md.
step() {
    local name=$1 cap=$2 cmd=$3
    local left=$((BUDGET - ($(date +%s) - T0)))
    local limit=$((cap < left ? cap : left))
    local shown
    shown=$(echo "$cmd" | tr '\n' ' ' | tr -s ' ' | sed 's/|/\\|/g' | cut -c1-200)
    if [ "$limit" -lt 15 ]; then
        RESULTS+=("| $name | \`$shown\` | FAILED: not started, the part's budget is spent | 0 |")
        FAILED=1
        echo "=== $name: not started (budget spent)" | tee -a "$LOG"
        summary
        return
    fi
    echo "=== $name (cap ${limit}s): $cmd" >>"$LOG"
    echo "=== $name (cap ${limit}s)"
    local s rc d what
    s=$(date +%s)
    timeout --kill-after=10 "$limit" bash -e -o pipefail -c "$cmd" 2>&1 | tee "$W/$name.log" >>"$LOG"
    rc=${PIPESTATUS[0]}
    d=$(($(date +%s) - s))
    what="ok"
    if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
        what="FAILED: cut off at its cap of ${limit}s"
        FAILED=1
    elif [ "$rc" -ne 0 ]; then
        what="FAILED (exit $rc): $(grep -E 'FAIL|rror|not |no ' "$W/$name.log" | tail -1 | cut -c1-160 | sed 's/|/\\|/g')"
        FAILED=1
    fi
    RESULTS+=("| $name | \`$shown\` | $what | $d |")
    echo "=== $name: $what in ${d}s" | tee -a "$LOG"
    summary
}

# --- the environment: Python with torch, NVIDIA's wheel libraries, oneDNN, Java ---------------------------------
{
    PY=$(command -v python3 || true)
    # RFSQ_PYTHON: the Python the Java tests (Python.java) and compare.py run; the machine's python3 holds PyTorch.
    if [ -n "$PY" ] && "$PY" -c 'import torch, numpy' 2>/dev/null; then
        export RFSQ_PYTHON=$PY
    fi
    echo "python: ${PY:-none}; RFSQ_PYTHON=${RFSQ_PYTHON:-unset (no python3 with torch and numpy)}"
    # cuDNN and its siblings from the same wheel set (cuBLAS/cuBLASLt, NVRTC, ...): every lib folder of the nvidia
    # namespace package goes on the library path, and cuDNN's own on RFSQ_CUDNN_LIBRARY and its headers to CMake.
    NVLIBS=$("${PY:-false}" - <<'PY' 2>/dev/null
import os, nvidia
dirs = set()
for base in nvidia.__path__:
    for root, _, files in os.walk(base):
        if os.path.basename(root) == "lib" and any(".so" in f for f in files):
            dirs.add(root)
print(":".join(sorted(dirs)))
PY
)
    CUDNN=$("${PY:-false}" -c "import nvidia.cudnn as m, os; print(list(m.__path__)[0])" 2>/dev/null || true)
    if [ -n "$NVLIBS" ]; then export LD_LIBRARY_PATH=$NVLIBS${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}; fi
    if [ -n "$CUDNN" ]; then export RFSQ_CUDNN_LIBRARY=$CUDNN/lib; fi
    echo "NVIDIA wheel libraries: ${NVLIBS:-none}"
    echo "cuDNN: ${CUDNN:-none}"
    # oneDNN (headers, libdnnl.so.3 and the OpenCL ICD loader it links) for the build: carried, no network there.
    ONEDNN=/tmp/onednn
    rm -rf "$ONEDNN"
    if [ -f "$G/onednn.tar.xz" ]; then tar -C /tmp -xJf "$G/onednn.tar.xz" && echo "oneDNN: $(ls $ONEDNN | tr '\n' ' ')"; else echo "oneDNN: no .gpu/onednn.tar.xz"; fi
    RT=/tmp/rfsq-rt/rt
    rm -rf /tmp/rfsq-rt && mkdir -p /tmp/rfsq-rt
    if [ -f "$G/rt.tar.xz" ]; then
        tar -C /tmp/rfsq-rt -xJf "$G/rt.tar.xz" 2>/dev/null ||
            "${PY:-false}" -c 'import sys, tarfile; tarfile.open(sys.argv[1]).extractall(sys.argv[2], filter="tar")' "$G/rt.tar.xz" /tmp/rfsq-rt
        echo "java: $("$RT/bin/java" -version 2>&1 | head -1)"
    else
        echo "java: no .gpu/rt.tar.xz (run bench/gpu/prepare.sh here first and carry .gpu)"
    fi
} >>"$LOG" 2>&1
export RFSQ_PYTHON ONEDNN RT CUDNN
NEED_GPU='nvidia-smi -L >/dev/null 2>&1 || { echo "FAIL: no NVIDIA GPU here (nvidia-smi -L failed): this round needs one"; exit 1; };'
NEED_JARS="grep -qx \"jar sources: \$(bash bench/gpu/jar_sources.sh)\" $G/MANIFEST.txt || { echo 'FAIL: .gpu/ holds jars built from other sources: run bench/gpu/prepare.sh at this commit and carry .gpu again'; exit 1; };"
JAVA="$RT/bin/java --enable-native-access=ALL-UNNAMED"
CP=$G/test/classes:$G/app/rfsq4j.jar$(for j in "$G"/app/lib/*.jar "$G"/test/lib/*.jar; do [ -f "$j" ] && printf ':%s' "$j"; done)

BUILD_CMD="cmake -S . -B $BUILD -DCMAKE_BUILD_TYPE=Release -DRFSQ_CUDA=ON -DCMAKE_CUDA_ARCHITECTURES=90-real \
    -DRFSQ_OUTPUT_DIR=$BUILD/out -DRFSQ_ONEDNN_ROOT=$ONEDNN ${CUDNN:+-DRFSQ_CUDNN_INCLUDE=$CUDNN/include} \
  && cmake --build $BUILD -j \$(nproc) --target rfsq rfsq_native_tests rfsq_train_ops_tests rfsq_conv_tests \
    rfsq_baselines_tests rfsq_eval_ops_tests rfsq_isa_tests rfsq_cuda_bench && echo \$(source_hash) > $BUILD/built.txt && ls -la $LIB $BENCH"
export -f source_hash
export BUILD LIB BENCH

if [ "$PART" = A ]; then
    step machine 30 "nvidia-smi || true; nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm,clocks.max.mem --format=csv || true
      { nvcc --version || echo 'no nvcc'; } | tail -2; cmake --version | head -1; uname -r; nproc
      { compute-sanitizer --version || echo 'no compute-sanitizer'; } | head -2
      ${RFSQ_PYTHON:-python3} -c 'import torch; print(\"torch\", torch.__version__, \"cuda\", torch.version.cuda, torch.cuda.is_available())' ||
        echo 'no python3 with torch'
      $NEED_GPU"
    step build 170 "$BUILD_CMD"
    # The build travels back for part B (3 files of the 8 that return): copy them into .gpu/built/ there.
    cp "$LIB" "$BENCH" "$BUILD/built.txt" "$OUT/" 2>/dev/null
    step ctest 100 "ctest --test-dir $BUILD --output-on-failure --timeout 90 -E team_emulation
      if grep -h 'CUDA cases SKIPPED' $BUILD/Testing/Temporary/LastTest.log; then echo 'FAIL: CUDA cases were skipped'; exit 1; fi"
    # Device-side checks on chosen cases (CUDA contexts only; the float64 references run on the host at full speed).
    SAN="compute-sanitizer --error-exitcode 1 --print-limit 20"
    step memcheck 60 "$NEED_GPU export RFSQ_TEST_DEVICES=cuda
      RFSQ_TEST_FILTER='launch edge: rfsq forward K=4 C=5 layernorm,launch edge: rfsq backward K=4 C=5 layernorm (1x22x22),bad data,building blocks,rfsq backward vs finite differences [8..] K=2' \
        $SAN --tool memcheck $BUILD/rfsq_native_tests
      RFSQ_TEST_FILTER='vq M=300,lfq C=5,vq ema: 3 steps, decay 0.99,vq NaN' $SAN --tool memcheck $BUILD/rfsq_baselines_tests
      RFSQ_TEST_FILTER='l1 loss,adam with gradient' $SAN --tool memcheck $BUILD/rfsq_train_ops_tests
      RFSQ_TEST_FILTER='max pool,ssim 31x40,lpips layer' $SAN --tool memcheck $BUILD/rfsq_eval_ops_tests"
    step racecheck 60 "$NEED_GPU export RFSQ_TEST_DEVICES=cuda
      RFSQ_TEST_FILTER='rfsq forward+decode 5x4 K=4,launch edge: rfsq backward K=4 C=5 layernorm (1x22x22),rfsq backward vs finite differences [4..] K=4' \
        $SAN --tool racecheck --racecheck-report hazard $BUILD/rfsq_native_tests
      RFSQ_TEST_FILTER='vq M=300,lfq C=5,vq ema: 3 steps, decay 0.99' $SAN --tool racecheck --racecheck-report hazard $BUILD/rfsq_baselines_tests
      RFSQ_TEST_FILTER='ssim 23x17,lpips layer' $SAN --tool racecheck --racecheck-report hazard $BUILD/rfsq_eval_ops_tests"
    # JUnit on the CUDA backend: RFSQ_LIBRARY is the library built above; RFSQ_PYTHON lets the PyTorch
    # cross-checks run. junit_summary.py fails the step when CUDA cases or cross-checks were skipped.
    step junit 200 "test -x $RT/bin/java || { echo 'FAIL: no Java runtime: run bench/gpu/prepare.sh here first and carry .gpu'; exit 1; }
      $NEED_JARS
      cat $G/MANIFEST.txt; rc=0; cd java; RFSQ_LIBRARY=$LIB $JAVA -jar $G/test/junit-platform-console-standalone-*.jar execute \
        --class-path '$CP' --scan-class-path $G/test/classes --fail-if-no-tests --disable-banner --details=summary \
        --reports-dir $W/junit || rc=\$?; cd ..
      python3 bench/gpu/junit_summary.py $W/junit | tee $W/junit_summary.md; exit \$rc"
    cp "$W/junit/TEST-junit-jupiter.xml" "$OUT/junit.xml" 2>/dev/null
else
    step machine 20 "nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.sm,clocks.max.sm --format=csv || true; nproc; $NEED_GPU"
    # A's build when .gpu/built/ holds it for these sources, else a fresh one.
    step build 170 "if [ -f $G/built/built.txt ] && [ \"\$(cat $G/built/built.txt)\" = \"\$(source_hash)\" ] && [ -f $ONEDNN/libdnnl.so.3 ]; then
        mkdir -p $BUILD/out $BUILD/bench/cuda && cp $G/built/librfsq.so $ONEDNN/libdnnl.so.3 $ONEDNN/libOpenCL.so.1 $BUILD/out/ &&
        cp $G/built/rfsq_cuda_bench $BUILD/bench/cuda/ && cp $G/built/built.txt $BUILD/ && echo \"part A's build, sources \$(source_hash)\";
      else echo 'no build of these sources in .gpu/built/: building'; $BUILD_CMD; fi"
    export LD_LIBRARY_PATH=$BUILD/out${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
    step cuda_bench 50 "$BENCH --repeats 50 --large 4096 --out $W/cuda_bench.md
      test -s $W/cuda_bench.md || { echo 'FAIL: rfsq_cuda_bench wrote no table (it skips without a CUDA device)'; exit 1; }"
    step train_bench 80 "$NEED_JARS RFSQ_LIBRARY=$LIB $JAVA -cp $G/benchmarks.jar dev.rfsq4j.bench.TrainStepBench cuda 128 128 2 8 \
      rfsq-4x1024-none rfsq-4x1024-ln rfsq-2x2048-ln fsq-4096 lfq-4096 vq-ema-4096 | tee $W/train_bench.txt"
    step conv_bench 45 "$NEED_JARS RFSQ_LIBRARY=$LIB $JAVA -cp $G/benchmarks.jar dev.rfsq4j.bench.ConvLayerBench cuda 128 128 10 | tee $W/conv_bench.txt"
    # Correctness first (it exits 1 on any failure), then the timings; a comparison that cannot run fails the step.
    step compare 120 "PYTHONUNBUFFERED=1 ${RFSQ_PYTHON:-python3} bench/pytorch/compare.py $LIB --device cuda --bench \
      --compile-budget 45 --out $W/compare.md"
    # Evaluation (issue 8): image metrics, LPIPS distance and LPIPS forward+backward at batch 16 and 64, 128x128
    # (LPIPS with a random VGG16-shaped backbone: the cost of the real one).
    step eval_bench 40 "$NEED_JARS RFSQ_LIBRARY=$LIB $JAVA -cp $G/benchmarks.jar dev.rfsq4j.bench.EvalBench cuda 128 3 16 64 \
      | tee $W/eval_bench.txt"
    # The data loader alone (issue 14), to set beside train_bench: shards of synthetic images (no image data here),
    # batch 128 at 128x128, on this machine's CPU cores. Last: the least needed when the budget runs short.
    step loader_bench 30 "$NEED_JARS $JAVA -cp $G/benchmarks.jar dev.rfsq4j.bench.LoaderBench synthetic:1024 128 128 10 100 \
      | tee $W/loader_bench.txt"
fi

summary
echo
cat "$MD"
exit $FAILED
