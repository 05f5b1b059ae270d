#!/usr/bin/env bash
# Data-parallel scaling of ViT-B pretraining: per-GPU throughput on 1, 2 and
# 4 GPUs and the efficiency against one GPU (issue 8's target: >= 90%).
#   tools/analysis/scaling_benchmark.sh OUT_DIR [GPU_COUNTS (default "1 2 4")]
#
# Part 1, the model step (the number for docs/benchmarks.md): benchmark.py
#   under torchrun, synthetic uint8 clips already on the GPU, bf16, compiled,
#   DDP gradient all-reduce, the same per-GPU batch at every GPU count.
# Part 2, the training loop users run: tools/dist_train.sh on the synthetic
#   moving-shapes videos at ViT-B shapes (decode, augment, mask, step, the
#   per-iteration loss all-reduce of ResumableEpochBasedTrainLoop and the
#   non-finite guard), throughput read from FlopsCounterHook's log lines,
#   once with the guard and once without (nonfinite_guard=None), so the
#   guard's cost shows at equal data loading.
# Needs the wheels of mmengine, mmcv-lite, fvcore and decord importable (see
# tools/analysis/gpu_suite.sh). BATCH (default 64), STEPS (default 30),
# WORKERS (data workers per GPU, default 12) and PARTS (default "model loop";
# one part per call where a command's time is capped) may be set; the
# summary covers whatever OUT_DIR holds.
set -uo pipefail
OUT=${1:?usage: $0 OUT_DIR [GPU_COUNTS]}
COUNTS=${2:-1 2 4}
BATCH=${BATCH:-64}
STEPS=${STEPS:-30}
WORKERS=${WORKERS:-12}
PARTS=${PARTS:-model loop}
PYTHON=${PYTHON:-python3}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
export PYTHONPATH="$ROOT:${PYTHONPATH:-}"
mkdir -p "$OUT"
LOG="$OUT/scaling.log"
nvidia-smi --query-gpu=index,name,memory.total,driver_version \
    --format=csv >> "$LOG" 2>&1
VITB=$ROOT/configs/vmae_vitb_ssv2.py

[[ " $PARTS " == *" model "* ]] && MODEL_COUNTS=$COUNTS || MODEL_COUNTS=
[[ " $PARTS " == *" loop "* ]] && LOOP_COUNTS=$COUNTS || LOOP_COUNTS=

echo "## part 1: model step (benchmark.py, DDP)" | tee -a "$LOG"
for n in $MODEL_COUNTS; do
    timeout 300 "$PYTHON" -m torch.distributed.run --nproc_per_node "$n" \
        --master_port $((29700 + n)) "$ROOT/tools/analysis/benchmark.py" \
        "$VITB" --batch "$BATCH" --compile --steps "$STEPS" --warmup 8 \
        --label "$n GPUs" --out "$OUT/model_step.jsonl" >> "$LOG" 2>&1
    echo "rc=$? model step, $n GPUs" | tee -a "$LOG"
done

echo "## part 2: training loop (tools/dist_train.sh)" | tee -a "$LOG"
DATA=$OUT/synthetic
[ -n "$LOOP_COUNTS" ] && "$PYTHON" "$ROOT/tools/data/make_synthetic.py" \
    "$DATA" --num-train 1024 --num-val 16 --num-frames 64 --size 256 \
    --workers 16 >> "$LOG" 2>&1
cat > "$OUT/vitb_synthetic.py" <<EOF
_base_ = ['$VITB']
train_dataloader = dict(
    batch_size=$BATCH, num_workers=$WORKERS,
    sampler=dict(type='ResumableSampler', shuffle=True),
    dataset=dict(_delete_=True, type='SyntheticVideoDataset',
                 data_root='$DATA', split='train', num_train=1024,
                 num_val=16, num_frames=64, size=256,
                 pipeline={{_base_.train_pipeline}}))
train_cfg = dict(type='ResumableEpochBasedTrainLoop', max_epochs=1)
default_hooks = dict(logger=dict(interval=10),
                     checkpoint=dict(by_epoch=False, interval=100000))
custom_hooks = [dict(type='FlopsCounterHook', interval=10)]
EOF
for n in $LOOP_COUNTS; do
    # about 60 iterations whatever the GPU count (1024 clips an epoch)
    epochs=$(( (60 * n * BATCH + 1023) / 1024 ))
    for guard in on off; do
        options=(train_cfg.max_epochs=$epochs)
        [ "$guard" = off ] && options+=(nonfinite_guard=None)
        run=$OUT/loop_${n}gpu_guard_$guard
        # the first throughput line (iterations 1-10) includes warm-up
        PORT=$((29800 + n)) timeout 600 "$ROOT/tools/dist_train.sh" \
            "$OUT/vitb_synthetic.py" "$n" --amp --work-dir "$run" \
            --cfg-options "${options[@]}" > "$run.log" 2>&1
        echo "rc=$? loop, $n GPUs, guard $guard" | tee -a "$LOG"
    done
done

echo "## per-GPU throughput and efficiency against 1 GPU" | tee -a "$LOG"
"$PYTHON" - "$OUT" "$COUNTS" <<'EOF' | tee -a "$LOG"
import json, os, re, statistics, sys
out, counts = sys.argv[1], [int(c) for c in sys.argv[2].split()]
rows = {}
model_log = f'{out}/model_step.jsonl'
for line in open(model_log) if os.path.exists(model_log) else []:
    record = json.loads(line)
    result = record['results'][0]  # clips_per_s is per process already
    rows[('model step', result.get('world_size', 1))] = result['clips_per_s']
for n in counts:
    for guard in ('on', 'off'):
        log = f'{out}/loop_{n}gpu_guard_{guard}.log'
        if not os.path.exists(log):
            continue
        text = open(log).read()
        found = [float(v) for v in re.findall(r'Throughput: ([0-9.]+)', text)]
        if found[1:]:
            rows[(f'loop, guard {guard}', n)] = statistics.median(
                found[1:]) / n
print(f'{"path":<20}{"GPUs":>5}{"clips/s per GPU":>17}{"efficiency":>12}')
for (path, n), value in sorted(rows.items()):
    base = rows.get((path, 1))
    eff = f'{100 * value / base:.1f}%' if base else '-'
    print(f'{path:<20}{n:>5}{value:>17.1f}{eff:>12}')
EOF
