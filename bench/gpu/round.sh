#!/usr/bin/env bash
# One GPU round, in one call, on a machine with an NVIDIA GPU, nvcc, CMake and PyTorch (the device tool's
# H100/H200 image): build librfsq with CUDA, run the native tests, the Java JUnit suite against that build
# (CPU<->CUDA parity included), the native CUDA benchmark, compare.py against PyTorch, and a short JMH run.
# Needs .gpu/ from bench/gpu/prepare.sh for the Java steps. Every step runs even if an earlier one failed;
# the exit status is non-zero if any failed. Results: $OUT/round.md (summary), $OUT/round.log (all output),
# $OUT/logs.tar.gz (each step's log and table). Budget: under 9 minutes on an H100.
#
#   bash bench/gpu/round.sh            (OUT defaults to bench/gpu/out)
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
OUT=${OUT:-$ROOT/bench/gpu/out}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
W=$(mktemp -d /tmp/round.XXXXXX)  # step logs and tables; only three files go to $OUT (the tool returns 8 at most)
BUILD=/tmp/build
LIB=$BUILD/out/librfsq.so
BUDGET=${ROUND_BUDGET_S:-510}      # stop starting steps when the 9-minute budget would be at risk
T0=$(date +%s)
RESULTS=()
FAILED=0

# step NAME CAP_SECONDS COMMAND...: runs COMMAND (a bash string) with its output in $W/NAME.log, under a time
# cap that also respects the round's budget; records the outcome.
step() {
    local name=$1 cap=$2 cmd=$3
    local left=$((BUDGET - ($(date +%s) - T0)))
    local limit=$((cap < left ? cap : left))
    local shown=$(echo "$cmd" | tr '\n' ' ' | tr -s ' ' | sed 's/|/\\|/g')  # one table cell
    if [ "$limit" -lt 15 ]; then
        RESULTS+=("| $name | \`$shown\` | skipped: round budget spent | 0 |")
        FAILED=1
        echo "=== $name: skipped (round budget spent)"
        return
    fi
    echo "=== $name: ${cmd%%$'\n'*} (cap ${limit}s)"
    local s=$(date +%s)
    timeout --kill-after=10 "$limit" bash -o pipefail -c "$cmd" > "$W/$name.log" 2>&1
    local rc=$?
    local d=$(($(date +%s) - s))
    local what="ok"
    if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then what="FAILED: timed out after ${limit}s"; FAILED=1
    elif [ $rc -ne 0 ]; then what="FAILED (exit $rc)"; FAILED=1; fi
    RESULTS+=("| $name | \`$shown\` | $what | $d |")
    tail -n 40 "$W/$name.log"
    echo "=== $name: $what in ${d}s"
}

G=$ROOT/.gpu
# oneDNN for the CPU convolutions (carried: the machine has no network), and an OpenCL ICD loader for it where
# the image has none. cuDNN comes from the machine's nvidia-cudnn-cu13 wheel (headers for the declaration
# check at build time, libcudnn.so.9 at run time).
ONEDNN=/tmp/onednn
[ -f "$G/onednn.tar.xz" ] && tar -C /tmp -xJf "$G/onednn.tar.xz"
if ! ldconfig -p | grep -q 'libOpenCL.so.1 '; then
    for deb in "$G"/ocl-icd-libopencl1_*.deb; do [ -f "$deb" ] && dpkg -x "$deb" /tmp/ocl; done
    export CMAKE_LIBRARY_PATH=/tmp/ocl/usr/lib/x86_64-linux-gnu
    export LD_LIBRARY_PATH=/tmp/ocl/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
fi
CUDNN=$(python3 -c "import nvidia.cudnn as m; print(list(m.__path__)[0])" 2>/dev/null)
if [ -n "$CUDNN" ]; then
    export RFSQ_CUDNN_LIBRARY=$CUDNN/lib
    export LD_LIBRARY_PATH=$CUDNN/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
fi

# --- machine and optional cuDNN -------------------------------------------------------------------------
step machine 30 'nvidia-smi; nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm,clocks.max.mem --format=csv;
  nvcc --version | tail -2; cmake --version | head -1; uname -r; nproc;
  python3 -c "import torch; print(\"torch\", torch.__version__, \"cuda\", torch.version.cuda, torch.cuda.get_device_name(0))"'
step cudnn 30 "echo 'nvidia-cudnn wheel: ${CUDNN:-absent}'; ls ${CUDNN:-/nonexistent}/lib; echo 'oneDNN:'; ls $ONEDNN"

# --- native build and tests -----------------------------------------------------------------------------
step build 240 "cmake -S . -B $BUILD -DCMAKE_BUILD_TYPE=Release -DRFSQ_CUDA=ON -DCMAKE_CUDA_ARCHITECTURES='90-real;90-virtual' \
  -DRFSQ_OUTPUT_DIR=$BUILD/out -DRFSQ_ONEDNN_ROOT=$ONEDNN ${CUDNN:+-DRFSQ_CUDNN_INCLUDE=$CUDNN/include} \
  && cmake --build $BUILD -j \$(nproc)"
step ctest 180 "ctest --test-dir $BUILD --output-on-failure --timeout 170"

# --- Java: JUnit suite and the training benchmark, on the carried runtime (before the longer GPU steps) ---
RT=/tmp/rfsq-rt/rt
CP=$G/test/classes:$G/app/rfsq4j.jar$(for j in "$G"/app/lib/*.jar "$G"/test/lib/*.jar; do [ -f "$j" ] && printf ':%s' "$j"; done)
step java_rt 60 "test -f $G/rt.tar.xz || { echo 'no .gpu/: run bench/gpu/prepare.sh here first and carry .gpu'; exit 1; };
  cat $G/MANIFEST.txt; mkdir -p /tmp/rfsq-rt && { tar -C /tmp/rfsq-rt -xJf $G/rt.tar.xz ||
  python3 -c 'import sys, tarfile; tarfile.open(sys.argv[1]).extractall(sys.argv[2], filter=\"tar\")' $G/rt.tar.xz /tmp/rfsq-rt; } &&
  $RT/bin/java -version"
# RFSQ_LIBRARY: the library just built here, so the CUDA backend runs (the jars carry a library built elsewhere).
step junit 240 "cd java && RFSQ_LIBRARY=$LIB $RT/bin/java --enable-native-access=ALL-UNNAMED \
  -jar $G/test/junit-platform-console-standalone-*.jar execute --class-path '$CP' --scan-class-path $G/test/classes \
  --fail-if-no-tests --disable-banner --details=tree"
# Training throughput (spec §3's presets, batch 128 at 128x128, data already on the device): issue 3's figure.
step train_bench 300 "RFSQ_LIBRARY=$LIB $RT/bin/java --enable-native-access=ALL-UNNAMED -cp $G/benchmarks.jar \
  dev.rfsq4j.bench.TrainStepBench cuda 128 128 3 20 rfsq-4x1024-none rfsq-4x1024-scale rfsq-4x1024-ln rfsq-2x2048-ln \
  fsq-4096 lfq-4096 vq-ema-4096 | tee $W/train_bench.txt"
step conv_bench 90 "RFSQ_LIBRARY=$LIB $RT/bin/java --enable-native-access=ALL-UNNAMED -cp $G/benchmarks.jar \
  dev.rfsq4j.bench.ConvLayerBench cuda 128 128 10 | tee $W/conv_bench.txt"
# The data loader alone from shards, batch 128 at 128x128, to set beside train_bench (issue 14): synthetic images,
# as this machine has no image data.
step loader_bench 90 "$RT/bin/java --enable-native-access=ALL-UNNAMED -cp $G/benchmarks.jar \
  dev.rfsq4j.bench.LoaderBench synthetic:2048 128 128 20 200 | tee $W/loader_bench.txt"

# --- GPU benchmarks and PyTorch comparison --------------------------------------------------------------
BENCH=$(find "$BUILD" -name rfsq_cuda_bench -type f -perm -u+x 2>/dev/null | head -1)
step cuda_bench 120 "${BENCH:-rfsq_cuda_bench_not_built} --out $W/cuda_bench.md"
step compare_cpu 60 "PYTHONUNBUFFERED=1 python3 bench/pytorch/compare.py $LIB --device cpu"
step compare_gpu 300 "PYTHONUNBUFFERED=1 python3 bench/pytorch/compare.py $LIB --device cuda --bench --compile-budget 150 \
  --out $W/compare.md"

# --- JMH (CPU context), last: the least needed when the budget runs short ------------------------------
step jmh 120 "RFSQ_LIBRARY=$LIB $RT/bin/java --enable-native-access=ALL-UNNAMED -jar $G/benchmarks.jar \
  -wi 1 -i 3 -w 1s -r 1s -f 1 -rf text -rff $W/jmh.txt"


# --- summary ------------------------------------------------------------------------------------------
{
    echo "# GPU round: $(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>/dev/null | head -1)"
    echo
    echo "Date: $(date -u '+%Y-%m-%d %H:%M UTC'). Host: $(nproc) CPU cores, kernel $(uname -r)."
    echo "Source: $(sed -n 2p "$G/MANIFEST.txt" 2>/dev/null || echo 'no .gpu/MANIFEST.txt'); round total $(($(date +%s) - T0)) s."
    echo "Command: \`bash bench/gpu/round.sh\` (each step's full log is in logs.tar.gz)."
    echo
    echo "| step | command | result | seconds |"
    echo "|---|---|---|---:|"
    printf '%s\n' "${RESULTS[@]}"
    echo
    echo "## Native CUDA benchmark (bench/cuda/rfsq_bench.cu)"
    echo
    grep '^check' "$W/cuda_bench.log" 2>/dev/null
    echo
    cat "$W/cuda_bench.md" 2>/dev/null || { echo "No table; the step's last lines:"; echo; tail -n 5 "$W/cuda_bench.log" | sed 's/^/    /'; }
    echo
    echo "## librfsq against PyTorch (bench/pytorch/compare.py)"
    echo
    echo '```'
    grep -E '^(case|[0-9]x[0-9]+ |FAIL|correctness)' "$W/compare_cpu.log" 2>/dev/null | sed 's/^/cpu: /'
    grep -E '^(case|[0-9]x[0-9]+ |FAIL|correctness)' "$W/compare_gpu.log" 2>/dev/null | sed 's/^/gpu: /'
    echo '```'
    echo
    cat "$W/compare.md" 2>/dev/null || { echo "No table; the step's last lines:"; echo; tail -n 5 "$W/compare_gpu.log" | sed 's/^/    /'; }
    echo
    echo "## Tests"
    echo
    echo '```'
    grep -E 'tests passed|tests failed|Total Test time' "$W/ctest.log" 2>/dev/null
    grep -E 'tests (successful|failed|skipped|aborted|found)' "$W/junit.log" 2>/dev/null
    echo '```'
    echo
    echo "## Training steps (TrainStepBench: normalize, forward, L1 loss, backward, Adam; batch 128, 128x128)"
    echo
    echo '```'
    cat "$W/train_bench.txt" 2>/dev/null || echo "(none: see the train_bench step)"
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
    echo "## JMH (CPU context, this machine's CPU)"
    echo
    echo '```'
    cat "$W/jmh.txt" 2>/dev/null || echo "(none: see the jmh step)"
    echo '```'
} > "$OUT/round.md"

for f in $(ls "$W"/*.log); do echo "##### $(basename "$f")"; cat "$f"; done > "$OUT/round.log"
tar -C "$W" -czf "$OUT/logs.tar.gz" .
echo
cat "$OUT/round.md"
exit $FAILED
