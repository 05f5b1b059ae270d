#!/usr/bin/env bash
# The GPU measurements behind docs/benchmarks.md, in parts that each fit one
# call of a lent GPU machine (no package registry there: the wheels of
# mmengine, mmcv-lite, fvcore and decord travel in .wheels/).
#   tools/analysis/gpu_suite.sh PART OUT_DIR
# PART: pretrain | finetune | memory | scaling | e2e
set -uo pipefail
PART=$1
OUT=$2
mkdir -p "$OUT"
LIB=${VMAE_PYLIB:-/tmp/vmae_pylib}
if [ ! -d "$LIB" ]; then
    python3 -m pip install -q --no-index --no-deps --target "$LIB" \
        .wheels/*.whl || exit 1
fi
export PYTHONPATH="$PWD:$LIB:${PYTHONPATH:-}"
LOG="$OUT/$PART.log"
nvidia-smi --query-gpu=index,name,memory.total,driver_version \
    --format=csv >> "$LOG"

bench() {  # bench TIMEOUT_S ARGS...
    local limit=$1
    shift
    echo "### benchmark.py $*" >> "$LOG"
    timeout "$limit" python3 tools/analysis/benchmark.py "$@" \
        --out "$OUT/bench.jsonl" >> "$LOG" 2>&1
    echo "rc=$? $*" | tee -a "$LOG"
    grep '^label=' "$LOG" | tail -n 3
}

VITB=configs/vmae_vitb_ssv2.py
FT=tools/analysis/configs/bench_vitb_finetune.py
DUAL="model.decoder_mask_generator.type=RunningCellMasking
      model.decoder_mask_generator.mask_ratio=0.5"
case "$PART" in
pretrain)
    bench 200 $VITB --batch 64 --check-parity --compare-hf --hf-attn sdpa
    bench 240 $VITB --batch 64 --compile
    bench 240 $VITB --batch 128 --compile
    # shellcheck disable=SC2086
    bench 240 $VITB --batch 64 --compile --label 'dual masking compiled' \
        --cfg-options $DUAL
    ;;
finetune)
    bench 200 $FT --batch 8 --compare-hf --hf-attn sdpa eager
    bench 200 $FT --batch 8 --compile
    bench 150 $VITB --batch 32 --steps 10 --warmup 3 --compare-hf \
        --hf-attn eager --label 'vmae_mm b32'
    ;;
memory)
    bench 200 configs/vmae_vitl_ssv2.py --batch 32 --steps 5 --warmup 2
    bench 200 tools/analysis/configs/bench_vith_finetune.py --batch 8 \
        --steps 5 --warmup 2
    ;;
*)
    echo "unknown part $PART" >&2
    exit 2
    ;;
esac
