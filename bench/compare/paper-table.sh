#!/usr/bin/env bash
# The paper's comparison (spec §7) at a scale this project can afford: rfsq-4x1024-{ln,scale,none} and fsq-4096
# trained at equal settings on ../shared/data/imagenet-sample-128/train, evaluated on .../val, one table.
#
#   bench/compare/paper-table.sh train [MAX_STEPS]   train in rounds of CHUNK steps per preset (round-robin, with
#                                                    --resume), so every preset is at the same step whenever it is
#                                                    stopped; run it again to continue
#   bench/compare/paper-table.sh eval                evaluate each run's newest checkpoint on val (eval.json, report)
#   bench/compare/paper-table.sh compare             the table: OUT/compare/compare.{md,html}
#
# Settings (environment): OUT (runs/paper-table), BATCH (16), CHUNK (50), WARMUP (50 steps; the recipe's 5000
# would keep a short run at lr ~ 0), LR (8e-4), DATA (../shared/data/imagenet-sample-128), RFSQ4J (./rfsq4j; a
# copied jar is safer while the checkout changes: "java --enable-native-access=ALL-UNNAMED -cp 'DIR/rfsq4j.jar:DIR/lib/*'
# dev.rfsq4j.cli.Main"). Everything else is the reference recipe (spec §5).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
OUT=${OUT:-runs/paper-table}
BATCH=${BATCH:-16}
CHUNK=${CHUNK:-50}
WARMUP=${WARMUP:-50}
LR=${LR:-8e-4}
DATA=${DATA:-../shared/data/imagenet-sample-128}
RFSQ4J=${RFSQ4J:-./rfsq4j}
PRESETS=(rfsq-4x1024-ln rfsq-4x1024-scale rfsq-4x1024-none fsq-4096)

die() { echo "paper-table: $*" >&2; exit 1; }
[[ -d "$DATA/train" && -d "$DATA/val" ]] || die "no $DATA/{train,val} (the shared ImageNet sample)"

# The step a run has reached: its newest checkpoint's name, 0 without one.
reached() {
    local last
    last=$(ls -d "$OUT/$1"/checkpoints/step-* 2>/dev/null | sort | tail -n 1) || true
    [[ -n "$last" ]] && echo $((10#${last##*step-})) || echo 0
}

case "${1:-}" in
train)
    max=${2:-1000000}
    mkdir -p "$OUT"
    while true; do
        # The next round's target: the lowest step any preset is at, plus a chunk.
        low=$max
        for p in "${PRESETS[@]}"; do s=$(reached "$p"); (( s < low )) && low=$s; done
        (( low >= max )) && break
        target=$(( low + CHUNK > max ? max : low + CHUNK ))
        for p in "${PRESETS[@]}"; do
            (( $(reached "$p") >= target )) && continue
            resume=(); [[ -d "$OUT/$p/checkpoints" ]] && resume=(--resume)
            echo "== $(date -u +%H:%M:%S) $p to step $target (load $(cut -d' ' -f1-3 /proc/loadavg))"
            $RFSQ4J train --preset "$p" --data "$DATA/train" --out "$OUT/$p" --steps "$target" --batch "$BATCH" \
                --lr "$LR" --warmup-steps "$WARMUP" --log-every 10 --checkpoint-every "$CHUNK" "${resume[@]}"
        done
    done
    ;;
eval)
    for p in "${PRESETS[@]}"; do
        $RFSQ4J eval --run "$OUT/$p" --data "$DATA/val"
    done
    ;;
compare)
    $RFSQ4J compare "${PRESETS[@]/#/$OUT/}" --out "$OUT/compare"
    ;;
*)
    sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
