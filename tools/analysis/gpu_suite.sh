#!/usr/bin/env bash
# The GPU measurements behind docs/benchmarks.md, in parts that each fit one
# call of a lent GPU machine (no package registry there: the wheels of
# mmengine, mmcv-lite, fvcore and decord travel in .wheels/).
#   tools/analysis/gpu_suite.sh PART OUT_DIR
# PART: pretrain | finetune | memory | round2 | round3 | ddp | e2e |
#       e2e_gpu_crop | scaling | e2e_steady | profile | profile2 | round6 |
#       round7 | round8 | idle | round9 | runner | runner_ft | round10 |
#       round11 | round12 | round13 | round14 | exit | round15 |
#       round16 | round17 | round18
set -uo pipefail
PART=$1
OUT=$2
mkdir -p "$OUT"
LIB=${VMAE_PYLIB:-"${TMPDIR:-/tmp}"/vmae_pylib}
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
    local log="$OUT/${JOB:-$PART}.log"
    echo "### benchmark.py $*" >> "$log"
    # shellcheck disable=SC2086
    timeout "$limit" ${PIN:-} python3 tools/analysis/benchmark.py "$@" \
        --out "$OUT/bench.jsonl" >> "$log" 2>&1
    echo "rc=$? $*" | tee -a "$log"
    grep '^label=' "$log" | tail -n 3
}

train_run() {  # train_run TIMEOUT_S CONFIG WORK_DIR CFG_OPTIONS...
    # tools/train.py as users run it (no flags: the config's bf16 and
    # compile), logging every 16 steps, saving no checkpoint (the work dir
    # comes back whole)
    local limit=$1 config=$2 work=$3
    shift 3
    # PROFILE_TO=FILE: under cProfile, its statistics written to FILE
    timeout "$limit" python3 ${PROFILE_TO:+-m cProfile -o "$PROFILE_TO"} \
        tools/train.py "$config" --work-dir "$work" \
        --cfg-options "$@" "${RUN_LOGGING[@]}" >> "$LOG" 2>&1
    echo "rc=$? tools/train.py $config" | tee -a "$LOG"
}
# train_run's logging: every 16 steps, no checkpoint
RUN_LOGGING=(default_hooks.logger.interval=16 flops_counter.interval=16
             default_hooks.checkpoint.interval=100
             default_hooks.checkpoint.save_last=False)

ft_options() {  # ft_options TRAIN_LIST WORKERS: sets FT_DATA
    # The finetuning Runner over the generated videos: TRAIN_LIST for
    # training, the 16 val videos, random init, 6 epochs (the recipe's 5
    # warm-up epochs need 6), validating once at the end, no best checkpoint.
    FT_DATA=(train_dataloader.dataset.ann_file="$1"
             train_dataloader.dataset.data_prefix.video="$DATA"
             val_dataloader.dataset.ann_file="$DATA/val.txt"
             val_dataloader.dataset.data_prefix.video="$DATA"
             train_dataloader.num_workers="$2" train_cfg.max_epochs=6
             train_cfg.val_interval=6 default_hooks.checkpoint.save_best=None
             model.backbone.init_cfg=None)
}

small_ft_options() {  # sets DATA and FT_DATA for the exit checks
    # 16 generated videos (2 steps an epoch) and 16 to validate on, 8
    # workers each, logging every 4 steps, no checkpoint
    DATA="${TMPDIR:-/tmp}"/vmae_exit
    python3 tools/data/make_synthetic.py "$DATA" --num-train 16 \
        --num-val 16 --num-frames 48 --size 256 --workers 16 | tail -n 1
    ft_options "$DATA/train.txt" 8
    FT_DATA+=(default_hooks.logger.interval=4
              default_hooks.checkpoint.interval=100
              default_hooks.checkpoint.save_last=False)
}

exit_check() {  # exit_check PROCESSES CONFIG_NAME: uses FT_DATA
    # tools/train.py under torchrun, as tools/dist_train.sh starts it, with
    # tools/analysis/configs/CONFIG_NAME.py: how long after its last
    # validation (epoch 6) does it exit? One still alive 45 s after it has
    # its process tree listed and the Python stacks of every process dumped
    # (faulthandler on SIGUSR1), each into a file of its own under
    # $OUT/stacks_CONFIG_NAME_xPROCESSES (one stream interleaved them
    # unreadably), before it is stopped.
    local nproc=$1 name=$2
    local tag="${name}_x$nproc"
    local log="$OUT/$tag.log" stacks="$OUT/stacks_$tag"
    local wrapper="${TMPDIR:-/tmp}/stacks_$tag.py"
    mkdir -p "$stacks"
    printf '%s\n' 'import faulthandler, os, runpy, signal, sys' \
        'def dump_to_own_file():' \
        "    path = os.path.join('$stacks', f'{os.getpid()}.txt')" \
        "    dump_to_own_file.file = open(path, 'w')" \
        '    faulthandler.register(signal.SIGUSR1, dump_to_own_file.file,' \
        '                          all_threads=True)' \
        'dump_to_own_file()' \
        'os.register_at_fork(after_in_child=dump_to_own_file)' \
        'sys.argv = sys.argv[1:]' \
        "runpy.run_path(sys.argv[0], run_name='__main__')" > "$wrapper"
    python3 -m torch.distributed.run --nproc_per_node "$nproc" \
        --master_port $((29600 + nproc)) "$wrapper" tools/train.py \
        "tools/analysis/configs/$name.py" --launcher pytorch \
        --work-dir "$OUT/$tag" --cfg-options "${FT_DATA[@]}" \
        >> "$log" 2>&1 &
    local pid=$! started=$SECONDS validated=''
    while kill -0 "$pid" 2>/dev/null; do
        if [ -z "$validated" ] && grep -qa 'Epoch(val) \[6\]' "$log"; then
            validated=$SECONDS
        fi
        if [ -n "$validated" ] && [ $((SECONDS - validated)) -ge 45 ]; then
            break
        fi
        [ $((SECONDS - started)) -ge "${EXIT_LIMIT:-300}" ] && break
        sleep 1
    done
    local since="its start" at=$started
    if [ -n "$validated" ]; then
        since="its last validation" at=$validated
    fi
    if kill -0 "$pid" 2>/dev/null; then
        echo "still running $((SECONDS - at)) s after $since:" \
            "processes and stacks follow" | tee -a "$log"
        ps -eo pid,ppid,stat,etimes,args --forest | grep -a \
            "stacks_$tag\|torch.distributed.run" | grep -v grep >> "$log"
        pkill -USR1 -f "python[0-9.]* -u .*stacks_$tag"
        sleep 5
        kill "$pid"
        sleep 5
        pkill -KILL -f "stacks_$tag"
    else
        echo "exited $((SECONDS - at)) s after $since" | tee -a "$log"
    fi
    wait "$pid"
    echo "rc=$? $name ($nproc processes)" | tee -a "$LOG"
    grep -a 'Epoch(val)\|Epoch(train) \[6\]' "$log" | tail -n 3
}

pretrain_b128_row() {  # the pretraining step beside transformers', profiled
    bench 200 $VITB --batch 128 --compile --sdpa-backend cudnn --steps 15 \
        --warmup 8 --pipelined --compare-hf --hf-attn sdpa --profile \
        --label 'b128 compiled, normalization compiled, cuDNN, pipelined'
}

make_e2e_videos() {  # generated videos, once per call
    DATA="${TMPDIR:-/tmp}"/vmae_bench
    [ -f "$DATA/train.txt" ] && return
    ${PIN:-} python3 tools/data/make_synthetic.py "$DATA" --num-train 384 \
        --num-val 16 --num-frames 300 --size 256 --workers 16
}

make_e2e_data() {  # generated videos and their JPEG frames, once per call
    make_e2e_videos
    [ -f "$DATA/rawframes.txt" ] && return
    ${PIN:-} python3 tools/data/extract_frames.py "$DATA/train.txt" "$DATA" \
        "$DATA/frames" --short-side 256 --out-list "$DATA/rawframes.txt" \
        --workers 16 | tail -n 2
}

e2e_row() {  # e2e_row frames|videos CONFIG LABEL: one e2e row
    make_e2e_videos
    local list="$DATA/train.txt" prefix="data_prefix.video=$DATA"
    if [ "$1" = frames ]; then
        make_e2e_data
        list="$DATA/rawframes.txt" prefix="data_prefix.img=$DATA/frames"
    fi
    # steady state: the workers' prefetched batches (16 x 4) are used up
    # untimed after the warm-up, and the sampler never ends an epoch
    bench 170 "$2" --mode e2e --batch 16 --compile --steps "${STEPS:-40}" \
        --warmup 6 --label "$3" --cfg-options \
        train_dataloader.dataset.ann_file="$list" \
        train_dataloader.dataset."$prefix"
}

run_e2e() {  # run_e2e LABEL_SUFFIX: generated videos and frames, e2e rows
    e2e_row frames tools/analysis/configs/bench_vitb_e2e_rawframes.py \
        "e2e raw frames, 4 clips per decode, 16 cores$1"
    e2e_row videos tools/analysis/configs/bench_vitb_e2e_video.py \
        "e2e mp4v videos, 4 clips per decode, 16 cores$1"
}

run_ddp() {  # run_ddp GPUS LABEL ARGS...: the ViT-B step under torchrun
    local gpus=$1 label=$2
    shift 2
    CUDA_VISIBLE_DEVICES=$gpus timeout 170 python3 -m torch.distributed.run \
        --nproc_per_node $(( $(echo "$gpus" | tr -cd , | wc -c) + 1 )) \
        --master_port $((29500 + ${gpus:0:1})) tools/analysis/benchmark.py \
        $VITB --batch 64 --steps "${STEPS:-15}" --warmup 8 --label "$label" \
        "$@" --out "$OUT/bench.jsonl" >> "$OUT/ddp_runs.log" 2>&1
    echo "rc=$? $label"
}

beside_one_gpu() {  # beside_one_gpu LABEL ARGS...: 2-GPU DDP on GPUs 0-1
    # while GPU 2 times one GPU compiled and GPU 3 one GPU eager
    run_ddp 0,1 "$@" &
    local ddp=$!
    (CUDA_VISIBLE_DEVICES=2 JOB=gpu2 bench 150 $VITB --batch 64 --compile \
        --steps "${STEPS:-15}" --warmup 8 --label '1 GPU compiled') &
    local compiled=$!
    (CUDA_VISIBLE_DEVICES=3 JOB=gpu3 bench 100 $VITB --batch 64 \
        --steps "${STEPS:-15}" --warmup 8 --label '1 GPU eager') &
    wait $ddp $compiled $!
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
round2)
    # Single-GPU jobs side by side on GPUs 0-3, each pinned to its own 16 CPU
    # cores, then data-parallel scaling on 2 and 4 GPUs. The end-to-end runs
    # get cores 0-15, like a 16-core single-GPU machine.
    DATA="${TMPDIR:-/tmp}"/vmae_bench
    (
        export CUDA_VISIBLE_DEVICES=3 JOB=e2e PIN="taskset -c 0-15"
        $PIN python3 tools/data/make_synthetic.py $DATA --num-train 384 \
            --num-val 16 --num-frames 300 --size 256 --workers 16
        $PIN python3 tools/data/extract_frames.py $DATA/train.txt $DATA \
            $DATA/frames --short-side 256 --out-list $DATA/rawframes.txt \
            --workers 16 | tail -n 2
        du -sh $DATA/videos $DATA/frames
        bench 170 tools/analysis/configs/bench_vitb_e2e_rawframes.py \
            --mode e2e --batch 16 --compile --steps 20 --warmup 6 \
            --label 'e2e raw frames, 4 clips per decode, 16 cores' \
            --cfg-options train_dataloader.dataset.ann_file=$DATA/rawframes.txt \
            train_dataloader.dataset.data_prefix.img=$DATA/frames
        bench 170 tools/analysis/configs/bench_vitb_e2e_video.py \
            --mode e2e --batch 16 --compile --steps 20 --warmup 6 \
            --label 'e2e mp4v videos, 4 clips per decode, 16 cores' \
            --cfg-options train_dataloader.dataset.ann_file=$DATA/train.txt \
            train_dataloader.dataset.data_prefix.video=$DATA
    ) >> "$OUT/e2e.log" 2>&1 &
    E2E=$!
    (
        export CUDA_VISIBLE_DEVICES=0 JOB=gpu0 PIN="taskset -c 16-31"
        bench 200 $FT --batch 8 --compare-hf --hf-attn sdpa eager \
            --steps 15 --warmup 5
        bench 150 tools/analysis/configs/bench_vith_finetune.py --batch 8 \
            --steps 4 --warmup 2
    ) >> "$OUT/gpu0.log" 2>&1 &
    G0=$!
    (
        export CUDA_VISIBLE_DEVICES=1 JOB=gpu1 PIN="taskset -c 32-47"
        bench 150 $VITB --batch 64 --compile --steps 15 --warmup 8 \
            --label '1 GPU compiled'
        bench 150 configs/vmae_vitl_ssv2.py --batch 32 --steps 4 --warmup 2
    ) >> "$OUT/gpu1.log" 2>&1 &
    G1=$!
    (
        export CUDA_VISIBLE_DEVICES=2 JOB=gpu2 PIN="taskset -c 48-63"
        bench 150 $FT --batch 8 --compile --steps 15 --warmup 8
        bench 150 $VITB --batch 128 --compile --sdpa-backend cudnn \
            --steps 15 --warmup 8 --label 'compiled, cuDNN attention'
    ) >> "$OUT/gpu2.log" 2>&1 &
    G2=$!
    wait $G0 $G1 $G2 $E2E
    for n in 2 4; do
        echo "### torchrun $n GPUs" >> "$LOG"
        timeout 170 python3 -m torch.distributed.run --nproc_per_node $n \
            tools/analysis/benchmark.py $VITB --batch 64 --compile \
            --steps 15 --warmup 8 --label "$n GPUs compiled" \
            --out "$OUT/bench.jsonl" >> "$LOG" 2>&1
        echo "rc=$? torchrun $n" | tee -a "$LOG"
    done
    grep -h '^label=\|^rc=' "$OUT"/*.log
    ;;
round3)
    # As round2, after compiling the bare model's forward (DDP-friendly),
    # stacking clips in the loader workers, and trying cuDNN attention.
    (
        export CUDA_VISIBLE_DEVICES=3 JOB=e2e PIN="taskset -c 0-15"
        run_e2e ''
    ) >> "$OUT/e2e.log" 2>&1 &
    E2E=$!
    (
        export CUDA_VISIBLE_DEVICES=0 JOB=gpu0 PIN="taskset -c 16-31"
        bench 150 $FT --batch 8 --compare-hf --hf-attn sdpa --compile \
            --sdpa-backend cudnn --steps 15 --warmup 8 \
            --label 'finetune compiled, cuDNN attention'
        bench 120 $FT --batch 8 --compile --sdpa-backend cudnn --steps 15 \
            --warmup 8 --label 'finetune compiled, cuDNN, drop path 0' \
            --cfg-options model.backbone.drop_path_rate=0.0
    ) >> "$OUT/gpu0.log" 2>&1 &
    G0=$!
    (
        export CUDA_VISIBLE_DEVICES=1 JOB=gpu1 PIN="taskset -c 32-47"
        bench 150 $VITB --batch 64 --compile --steps 15 --warmup 8 \
            --label '1 GPU compiled'
        bench 150 $VITB --batch 128 --compile --sdpa-backend cudnn \
            --steps 15 --warmup 8 --label 'b128 compiled, cuDNN attention'
    ) >> "$OUT/gpu1.log" 2>&1 &
    G1=$!
    (
        export CUDA_VISIBLE_DEVICES=2 JOB=gpu2 PIN="taskset -c 48-63"
        bench 330 $VITB --batch 128 --compile --sdpa-backend cudnn \
            --compile-mode max-autotune-no-cudagraphs --steps 15 --warmup 8 \
            --label 'b128 max-autotune, cuDNN attention'
    ) >> "$OUT/gpu2.log" 2>&1 &
    G2=$!
    wait $G0 $G1 $E2E
    for n in 2 4; do
        [ $n = 4 ] && wait $G2
        echo "### torchrun $n GPUs" >> "$LOG"
        CUDA_VISIBLE_DEVICES=$([ $n = 2 ] && echo 0,1 || echo 0,1,2,3) \
            timeout 150 python3 -m torch.distributed.run --nproc_per_node $n \
            tools/analysis/benchmark.py $VITB --batch 64 --compile \
            --steps 15 --warmup 8 --label "$n GPUs compiled" \
            --out "$OUT/bench.jsonl" >> "$LOG" 2>&1
        echo "rc=$? torchrun $n" | tee -a "$LOG"
    done
    grep -h '^label=\|^rc=' "$OUT"/*.log
    ;;
ddp)
    # Why data-parallel steps are slower per GPU: compiled as one graph
    # (vmae_mm's default; this ran with the then-flag --no-ddp-split) and
    # eager, against one GPU, on the same machine. --ddp-split measures
    # dynamo's bucket-split graphs.
    STEPS=15
    beside_one_gpu '2 GPUs compiled, one graph' --compile
    run_ddp 0,1 '2 GPUs eager'
    grep -h '^label=' "$OUT"/*.log
    ;;
e2e)
    # End to end on 16 cores and one GPU (CUDA_VISIBLE_DEVICES and PIN from
    # the caller), the loader built with the runner's mp_cfg (one OpenCV
    # thread per worker).
    run_e2e ', mp_cfg'
    ;;
e2e_gpu_crop | e2e_steady)
    # The crop on the GPU (workers only decode) against the CPU crop, and
    # the compiled model step they are a fraction of, in one call on one
    # GPU with 16 cores. e2e_row measures the steady state since the fourth
    # session (endless sampler, prefetched batches used up before timing,
    # then the loader alone); the third session's e2e_gpu_crop rows were
    # timed across an epoch's end. e2e_steady is the fourth session's name.
    CFG=tools/analysis/configs
    bench 150 $VITB --batch 64 --compile --steps 15 --warmup 8 \
        --label '1 GPU compiled'
    e2e_row videos $CFG/bench_vitb_e2e_video_gpu_crop.py \
        'e2e mp4v videos, 4 crops per decode on the GPU, 16 cores, steady'
    e2e_row frames $CFG/bench_vitb_e2e_rawframes_gpu_crop.py \
        'e2e raw frames, 4 crops per decode on the GPU, 16 cores, steady'
    e2e_row videos $CFG/bench_vitb_e2e_video.py \
        'e2e mp4v videos, 4 clips per decode, 16 cores, steady'
    grep -h '^label=' "$OUT"/*.log
    ;;
profile)
    # Where the compiled steps spend their device time, by kernel kind;
    # the finetuning step and transformers' timed in turn three times.
    bench 200 $VITB --batch 128 --compile --sdpa-backend cudnn --steps 15 \
        --warmup 8 --profile --label 'b128 compiled, cuDNN, profiled'
    bench 300 $FT --batch 8 --compile --sdpa-backend cudnn --steps 15 \
        --warmup 8 --compare-hf --hf-attn sdpa --rounds 3 --profile \
        --label 'finetune compiled, cuDNN, profiled'
    grep -h '^label=\|by kernel kind' "$OUT"/*.log
    ;;
round6)
    # Model steps after the fourth session's changes (patch embedding as a
    # matrix product, one-pass normalization): finetuning beside
    # transformers in turn, compiled and with CUDA graphs; pretraining.
    bench 200 $FT --batch 8 --compile --sdpa-backend cudnn --steps 15 \
        --warmup 8 --compare-hf --hf-attn sdpa --rounds 3 \
        --label 'finetune compiled, cuDNN'
    bench 200 $FT --batch 8 --compile --sdpa-backend cudnn --steps 15 \
        --warmup 8 --compare-hf --hf-attn sdpa --rounds 3 \
        --compile-mode reduce-overhead \
        --label 'finetune compiled, CUDA graphs, cuDNN'
    bench 200 $VITB --batch 128 --compile --sdpa-backend cudnn --steps 15 \
        --warmup 8 --profile --label 'b128 compiled, cuDNN'
    grep -h '^label=\|by kernel kind' "$OUT"/*.log
    ;;
profile2)
    # The pretraining step's kernels in full and its host synchronizations,
    # at batch 128 and 64 (with and without CUDA graphs); finetuning with
    # FlashAttention-2 (against round6's cuDNN rows).
    bench 200 $VITB --batch 128 --compile --sdpa-backend cudnn --steps 10 \
        --warmup 8 --profile --label 'b128 compiled, cuDNN'
    bench 150 $VITB --batch 64 --compile --sdpa-backend cudnn --steps 15 \
        --warmup 8 --profile --label 'b64 compiled, cuDNN'
    bench 150 $VITB --batch 64 --compile --sdpa-backend cudnn --steps 15 \
        --warmup 8 --compile-mode reduce-overhead \
        --label 'b64 compiled, CUDA graphs, cuDNN'
    bench 200 $FT --batch 8 --compile --sdpa-backend flash --steps 15 \
        --warmup 8 --compare-hf --hf-attn sdpa --rounds 2 --profile \
        --label 'finetune compiled, flash'
    grep -h '^label=\|by kernel kind' "$OUT"/*.log
    ;;
round7)
    # Pipelined model steps (one synchronization after the timed steps, as
    # vmae_mm's training loop now runs: deferred logging, device-side
    # non-finite skip, fused AdamW), beside transformers timed the same way;
    # first the GPU-only paths of the guard and the logging hook.
    python3 tools/analysis/check_gpu_paths.py 2>&1 | tee -a "$LOG"
    bench 240 $VITB --batch 128 --compile --sdpa-backend cudnn --steps 15 \
        --warmup 8 --pipelined --compare-hf --hf-attn sdpa \
        --label 'b128 compiled, cuDNN, pipelined'
    bench 200 $FT --batch 8 --compile --sdpa-backend cudnn --steps 20 \
        --warmup 8 --pipelined --compare-hf --hf-attn sdpa --rounds 3 \
        --compile-mode reduce-overhead \
        --label 'finetune compiled, CUDA graphs, cuDNN, pipelined'
    bench 150 $VITB --batch 64 --compile --sdpa-backend cudnn --steps 20 \
        --warmup 8 --pipelined --label 'b64 compiled, cuDNN, pipelined'
    bench 170 $FT --batch 8 --compile --sdpa-backend cudnn --steps 20 \
        --warmup 8 --pipelined --compare-hf --hf-attn sdpa --rounds 2 \
        --label 'finetune compiled, cuDNN, pipelined'
    grep -h '^label=' "$OUT"/*.log
    ;;
round8)
    # Inductor's coordinate-descent tuning of its generated kernels, on the
    # pretraining step (against round7's pipelined 1,569.1 clips/s).
    bench 270 $VITB --batch 128 --compile --sdpa-backend cudnn --steps 12 \
        --warmup 8 --pipelined --inductor coordinate_descent_tuning=True \
        --label 'b128 compiled, coordinate-descent tuning, cuDNN, pipelined'
    grep -h '^label=' "$OUT"/*.log
    ;;
idle)
    # Where the device idles between kernels, and whether it waited for the
    # host there (kernel_profile's idle report), in the pipelined steps:
    # pretraining at batch 128 without and with CUDA graphs, finetuning
    # with CUDA graphs beside transformers.
    bench 170 $VITB --batch 128 --compile --sdpa-backend cudnn --steps 12 \
        --warmup 8 --pipelined --profile \
        --label 'b128 compiled, cuDNN, pipelined, profiled'
    bench 200 $FT --batch 8 --compile --sdpa-backend cudnn --steps 20 \
        --warmup 8 --pipelined --compare-hf --hf-attn sdpa --profile \
        --compile-mode reduce-overhead \
        --label 'finetune compiled, CUDA graphs, cuDNN, pipelined, profiled'
    bench 170 $VITB --batch 128 --compile --sdpa-backend cudnn --steps 12 \
        --warmup 8 --pipelined --profile --compile-mode reduce-overhead \
        --label 'b128 compiled, CUDA graphs, cuDNN, pipelined, profiled'
    grep -h '^label=\|by kernel kind\|idle between' "$OUT"/*.log
    ;;
round9)
    # VideoMAE v2's decoder masking (the issue's lever; another recipe)
    # beside transformers' standard step at batch 128, pipelined; then the
    # finetuning step against transformers in five alternating rounds.
    bench 200 configs/vmae_vitb_ssv2_dual.py --batch 128 --compile \
        --sdpa-backend cudnn --steps 15 --warmup 8 --pipelined --compare-hf \
        --hf-attn sdpa \
        --label 'b128 decoder masking 0.5, compiled, cuDNN, pipelined'
    bench 280 $FT --batch 8 --compile --sdpa-backend cudnn --steps 20 \
        --warmup 8 --pipelined --compare-hf --hf-attn sdpa --rounds 5 \
        --compile-mode reduce-overhead \
        --label 'finetune compiled, CUDA graphs, cuDNN, pipelined'
    grep -h '^label=' "$OUT"/*.log
    ;;
runner)
    # The training loop users run (tools/train.py: mmengine's Runner with
    # every default hook, the config's bf16 and compile as they are, no
    # flags) on the user config with the crop on the GPU, 4
    # crops per decoded video (64 clips per step), over the generated videos
    # listed 8 times (one epoch of 192 steps): the logged iteration and data
    # times against the e2e benchmark's steady state.
    make_e2e_data
    for _ in 1 2 3 4 5 6 7 8; do cat "$DATA/train.txt"; done \
        > "$DATA/train_x8.txt"
    train_run 420 configs/vmae_vitb_k400_gpu_crop.py "$OUT/train" \
        model.data_preprocessor.augment.num_samples=4 \
        train_dataloader.batch_size=16 train_dataloader.num_workers=16 \
        train_dataloader.prefetch_factor=4 \
        train_dataloader.dataset.ann_file="$DATA/train_x8.txt" \
        train_dataloader.dataset.data_prefix.video="$DATA" \
        train_cfg.max_epochs=1
    grep -h 'Epoch(train)\|Throughput' "$LOG" | tail -n 24
    ;;
runner_ft)
    # Finetuning through tools/train.py as users run it (the config's bf16
    # and compiled training forward, no flags): ViT-B SSv2 recipe (RandAugment,
    # erasing, mixup/cutmix), batch 8, from random weights over the 384
    # generated videos for 6 epochs (288 steps; the recipe's 5 warm-up
    # epochs need 6), validating (eager) on 16 videos after epochs 3 and 6.
    make_e2e_data
    train_run 400 configs/vmae_vitb_ssv2_ft.py "$OUT/train_ft" \
        model.backbone.init_cfg=None \
        train_dataloader.dataset.ann_file="$DATA/train.txt" \
        train_dataloader.dataset.data_prefix.video="$DATA" \
        val_dataloader.dataset.ann_file="$DATA/val.txt" \
        val_dataloader.dataset.data_prefix.video="$DATA" \
        train_dataloader.num_workers=14 train_cfg.max_epochs=6 \
        train_cfg.val_interval=3 default_hooks.checkpoint.save_best=None
    grep -ah 'Epoch(\|compiled\|rc=' "$LOG" | tail -n 12
    ;;
round11)
    # The pretraining step with the loss made in one pass (profiled, its
    # trace kept for the step-boundary gap), then the finetuning Runner with
    # data ready (a light CPU pipeline: what the Runner itself costs per
    # step), compiled as the config says (under cProfile: where the host's
    # time goes) and with CUDA graphs.
    bench 200 $VITB --batch 128 --compile --sdpa-backend cudnn --steps 15 \
        --warmup 8 --pipelined --compare-hf --hf-attn sdpa --profile \
        --trace "$OUT/traces" --label 'b128 compiled, one-pass loss, cuDNN, pipelined'
    make_e2e_data
    ft_options "$DATA/train.txt" 15
    PROFILE_TO="$OUT/ft_runner.prof" train_run 200 \
        tools/analysis/configs/bench_vitb_ft_runner.py "$OUT/ft_runner" \
        "${FT_DATA[@]}"
    train_run 200 tools/analysis/configs/bench_vitb_ft_runner_cudagraphs.py \
        "$OUT/ft_runner_graphs" "${FT_DATA[@]}"
    grep -ah 'Epoch(train)\|rc=\|Error\|error' "$LOG" | tail -n 40
    ;;
round12)
    # Two GPUs of one host. The GPU checks; then, side by side, the
    # pretraining step profiled (GPU 0: every kernel counted, the
    # normalization compiled) and the finetuning Runner compiled as before
    # with data ready (GPU 1; the generated videos listed 4 times, 192 steps
    # an epoch); then the Runner with CUDA graphs under DDP on both GPUs
    # (tools/dist_train.sh, as users launch it), and on one GPU over the
    # same data as the run before it.
    python3 tools/analysis/check_gpu_paths.py >> "$LOG" 2>&1
    echo "rc=$? check_gpu_paths.py" | tee -a "$LOG"
    make_e2e_data
    for _ in 1 2 3 4; do cat "$DATA/train.txt"; done > "$DATA/train_x4.txt"
    ft_options "$DATA/train_x4.txt" 14
    (CUDA_VISIBLE_DEVICES=0 PIN="taskset -c 0-1" JOB=gpu0 bench 200 $VITB \
        --batch 128 --compile --sdpa-backend cudnn --steps 15 --warmup 8 \
        --pipelined --compare-hf --hf-attn sdpa --profile \
        --trace "$OUT/traces" \
        --label 'b128 compiled, one-pass loss, normalization compiled, cuDNN, pipelined') &
    CUDA_VISIBLE_DEVICES=1 train_run 240 \
        tools/analysis/configs/bench_vitb_ft_runner.py "$OUT/ft_runner" \
        "${FT_DATA[@]}"
    wait
    timeout 200 tools/dist_train.sh \
        tools/analysis/configs/bench_vitb_ft_runner_cudagraphs.py 2 \
        --work-dir "$OUT/ft_runner_graphs_ddp" --cfg-options "${FT_DATA[@]}" \
        "${RUN_LOGGING[@]}" >> "$LOG" 2>&1
    echo "rc=$? dist_train.sh bench_vitb_ft_runner_cudagraphs.py 2" | tee -a "$LOG"
    CUDA_VISIBLE_DEVICES=1 train_run 200 \
        tools/analysis/configs/bench_vitb_ft_runner_cudagraphs.py \
        "$OUT/ft_runner_graphs" "${FT_DATA[@]}"
    grep -h '^label=' "$OUT"/*.log
    grep -ah 'Epoch(\|rc=\|Error' "$LOG" | tail -n 60
    ;;
round13)
    # Does a 2-GPU finetuning run (tools/train.py under torchrun, as
    # tools/dist_train.sh starts it) exit after its last validation,
    # compiled as configured and with CUDA graphs?
    make_e2e_data
    ft_options "$DATA/train.txt" 14
    FT_DATA+=(default_hooks.logger.interval=8
              default_hooks.checkpoint.interval=100
              default_hooks.checkpoint.save_last=False)
    for name in bench_vitb_ft_runner bench_vitb_ft_runner_cudagraphs; do
        exit_check 2 "$name"
    done
    ;;
round14)
    # What attention implementations the machine has; the pretraining step
    # with the data preprocessor's normalization compiled, alone on one GPU
    # beside transformers'; and whether a one-process torchrun run (NCCL,
    # DDP, CUDA graphs) exits after its last validation (the 2-GPU runs of
    # the sixth session did not): a small generated set, 2 steps an epoch.
    python3 - >> "$OUT/probe.txt" 2>&1 <<'PROBE'
import importlib.util

import torch
from torch.nn.attention import list_flash_attention_impls

print('torch', torch.__version__, 'cuda', torch.version.cuda,
      'cudnn', torch.backends.cudnn.version(), torch.cuda.get_device_name())
print('flash attention implementations torch can register:',
      list_flash_attention_impls())
for name in ('flash_attn', 'flash_attn_interface', 'flash_attn_3',
             'cutlass', 'triton', 'transformer_engine'):
    print(name, 'present' if importlib.util.find_spec(name) else 'absent')
PROBE
    python3 -m pip list 2>/dev/null | grep -i 'flash\|cutlass\|triton\|cudnn\|nccl' \
        >> "$OUT/probe.txt"
    cat "$OUT/probe.txt"
    pretrain_b128_row
    small_ft_options
    exit_check 1 bench_vitb_ft_runner_cudagraphs
    ;;
exit)
    # exit_check alone: one process under torchrun, for each config named
    # in EXIT_CONFIGS (default: the finetuning Runner with CUDA graphs)
    small_ft_options
    for name in ${EXIT_CONFIGS:-bench_vitb_ft_runner_cudagraphs}; do
        exit_check "${EXIT_PROCESSES:-1}" "$name"
    done
    ;;
round15)
    # The data loaders' workers now stopped when a run ends: the one-process
    # torchrun exit again. Then the finetuning model steps of ViT-S and
    # ViT-L, as their leaf configs build them, compiled plainly and with
    # CUDA graphs (the schedule's default, not measured for them before).
    small_ft_options
    exit_check 1 bench_vitb_ft_runner_cudagraphs
    for arch in s l; do
        for mode in default reduce-overhead; do
            bench 200 "configs/vmae_vit${arch}_ssv2_ft.py" --batch 8 \
                --compile --compile-mode "$mode" --sdpa-backend cudnn \
                --steps 20 --warmup 8 --pipelined \
                --label "ViT-${arch^^} finetune, compile mode $mode, cuDNN, pipelined" \
                --cfg-options model.backbone.init_cfg=None
        done
    done
    ;;
round16)
    # ViT-H finetuning (activation checkpointing, as its leaf config) compiled
    # plainly and with CUDA graphs; the ViT-B finetuning step beside
    # transformers' in alternating rounds, on this session's card.
    for mode in default reduce-overhead; do
        bench 240 configs/vmae_vith_ssv2_ft.py --batch 8 --compile \
            --compile-mode "$mode" --sdpa-backend cudnn --steps 10 \
            --warmup 5 --pipelined \
            --label "ViT-H finetune, checkpointing, compile mode $mode, cuDNN, pipelined" \
            --cfg-options model.backbone.init_cfg=None
    done
    bench 200 $FT --batch 8 --compile --sdpa-backend cudnn --steps 20 \
        --warmup 8 --pipelined --compare-hf --hf-attn sdpa --rounds 3 \
        --compile-mode reduce-overhead \
        --label 'finetune compiled, CUDA graphs, cuDNN, pipelined'
    ;;
round17)
    # The end-to-end row from videos with the crop on the GPU again (its
    # figures predate the fifth session's crop-box change), beside the
    # model step it is a fraction of; videos only (no frame extraction).
    bench 130 $VITB --batch 64 --compile --steps 15 --warmup 8 \
        --label '1 GPU compiled'
    e2e_row videos tools/analysis/configs/bench_vitb_e2e_video_gpu_crop.py \
        'e2e mp4v videos, 4 crops per decode on the GPU, 16 cores, steady'
    ;;
round18)
    # The pretraining step with the normalization compiled, alone on one
    # card beside transformers' (round14's row without its other parts).
    pretrain_b128_row
    ;;
round10)
    # The model steps again after compile_model moved from the forward to
    # the training forward (the model's loss): the same graph is expected.
    bench 170 $VITB --batch 128 --compile --sdpa-backend cudnn --steps 15 \
        --warmup 8 --pipelined --compare-hf --hf-attn sdpa \
        --label 'b128 compiled (loss), cuDNN, pipelined'
    bench 200 $FT --batch 8 --compile --sdpa-backend cudnn --steps 20 \
        --warmup 8 --pipelined --compare-hf --hf-attn sdpa --rounds 2 \
        --compile-mode reduce-overhead \
        --label 'finetune compiled (loss), CUDA graphs, cuDNN, pipelined'
    grep -h '^label=' "$OUT"/*.log
    ;;
scaling)
    # Compiled DDP with bf16 gradient all-reduce and bucket-view gradients
    # against one GPU measured beside it, then on 4 GPUs; eager on 4 GPUs.
    TUNED="ddp_comm_hook=bf16 model_wrapper_cfg.gradient_as_bucket_view=True"
    STEPS=20
    # shellcheck disable=SC2086
    beside_one_gpu '2 GPUs compiled, bf16 all-reduce' --compile \
        --cfg-options $TUNED
    # shellcheck disable=SC2086
    run_ddp 0,1,2,3 '4 GPUs compiled, bf16 all-reduce' --compile \
        --cfg-options $TUNED
    run_ddp 0,1,2,3 '4 GPUs eager'
    run_ddp 0,1,2,3 '4 GPUs compiled, fp32 all-reduce' --compile
    grep -h '^label=' "$OUT"/*.log
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
