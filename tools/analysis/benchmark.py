"""Measure training throughput: the model step alone, or end to end.

    # model step (synthetic uint8 clips already on the device, full step:
    # preprocess, forward, backward, AdamW), beside transformers' VideoMAE;
    # compiled as the config trains (the official configs compile;
    # --no-compile times the eager step)
    python tools/analysis/benchmark.py configs/vmae_vitb_ssv2.py \
        --batch 64 --compare-hf
    # the same, synchronized once after the timed steps (as training runs),
    # ours and transformers' in turn three times, with a kernel breakdown
    python tools/analysis/benchmark.py configs/vmae_vitb_ssv2.py \
        --batch 128 --compare-hf --hf-attn sdpa --pipelined \
        --rounds 3 --profile
    # end to end through the config's dataset (decode, augment, mask, step)
    # in steady state, then the loader alone
    python tools/analysis/benchmark.py CONFIG --mode e2e --batch 64
    # data-parallel scaling: the same model step on every GPU, under DDP
    torchrun --nproc_per_node 4 tools/analysis/benchmark.py CONFIG --batch 64

Prints clips/s, step time (and the host's part of it), peak memory (total
and per clip) and model FLOPs utilization with the device name and software
versions; ``--out`` writes the same as JSON. By default every step is
bracketed by device synchronizations; ``--pipelined`` synchronizes once
after the timed steps.
"""
import argparse
import copy
import json
import os
import os.path as osp
import platform
import re
import sys
import time
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Tuple

import mmengine
import torch
import torch.distributed as dist
from mmengine.config import Config, DictAction
from mmengine.logging import MMLogger
from mmengine.model import MMDistributedDataParallel
from mmengine.optim import build_optim_wrapper
from mmengine.registry import init_default_scope
from mmengine.runner import Runner
from mmengine.utils.dl_utils import set_multi_processing

from vmae_mm.analysis import count_flops
from vmae_mm.analysis.hf_reference import build_hf_model
from vmae_mm.analysis.kernel_profile import profile_step
from vmae_mm.analysis.step_timer import (StepTiming, peak_memory,
                                        time_steps, time_steps_pipelined)
from vmae_mm.engine.compile import compile_model
from vmae_mm.engine.ddp_comm import register_comm_hook
from vmae_mm.engine.hooks.flops_hook import bf16_peak_tflops
from vmae_mm.engine.launch import load_config
from vmae_mm.engine.nonfinite_guard import install_nonfinite_guard
from vmae_mm.engine.runner import DEFAULT_NONFINITE_GUARD
from vmae_mm.models.masking import TubeMasking
from vmae_mm.registry import MODELS
from vmae_mm.structures import ActionDataSample


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Benchmark training steps')
    parser.add_argument('config')
    parser.add_argument('--mode', choices=['model', 'e2e'], default='model')
    parser.add_argument('--batch', type=int, help='clips per step '
                        '(default: the config\'s per-process batch)')
    parser.add_argument('--steps', type=int, default=20)
    parser.add_argument('--warmup', type=int, default=10)
    parser.add_argument('--compile', action=argparse.BooleanOptionalAction,
                        default=None,
                        help='torch.compile the model as training does '
                        '(the bare model\'s loss), or not (--no-compile); '
                        'default: as the config\'s compile key says')
    parser.add_argument('--compile-mode', default=None,
                        help="torch.compile mode, e.g. "
                        "'max-autotune-no-cudagraphs'")
    parser.add_argument('--inductor', nargs='+', action=DictAction,
                        help='inductor options for torch.compile, e.g. '
                        'coordinate_descent_tuning=True (the config\'s '
                        'compile=dict(options=dict(...)))')
    parser.add_argument('--ddp-split', action='store_true',
                        help='under DDP, let dynamo split the compiled graph '
                        'at gradient buckets (its default; vmae_mm compiles '
                        'one graph, see vmae_mm.engine.compile)')
    parser.add_argument('--sdpa-backend', default='default',
                        choices=['default', 'flash', 'cudnn', 'efficient'],
                        help='restrict scaled_dot_product_attention to one '
                        'kernel family (on CUDA)')
    parser.add_argument('--fp32', action='store_true',
                        help='no bf16 autocast')
    parser.add_argument('--compare-hf', action='store_true',
                        help='also time transformers\' VideoMAE (SDPA and '
                        'eager attention) on the same card')
    parser.add_argument('--hf-attn', nargs='+', default=['sdpa', 'eager'])
    parser.add_argument('--rounds', type=int, default=1,
                        help='time our step and transformers\' in turn this '
                        'many times, all models kept built')
    parser.add_argument('--check-parity', action='store_true',
                        help='compare the bf16 loss with the fp32 loss')
    parser.add_argument('--pipelined', action='store_true',
                        help='synchronize the device once after the timed '
                        'steps, not after each (model mode): the host may '
                        'queue a step while the device runs the one before')
    parser.add_argument('--profile', action='store_true',
                        help='after timing, profile 3 steps and record '
                        'their device time by kernel kind (matmul, '
                        'attention, fused elementwise, ...)')
    parser.add_argument('--trace', metavar='DIR',
                        help='with --profile, also write the profiled steps '
                        'as a Chrome trace per row (gzipped JSON) into DIR')
    parser.add_argument('--num-workers', type=int,
                        help='data loader workers for --mode e2e')
    parser.add_argument('--label', default=None,
                        help='name of this row in the output')
    parser.add_argument('--out', help='append results to this JSON file')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    args = parser.parse_args()
    model_only = [flag for flag, given in (
        ('--pipelined', args.pipelined), ('--rounds', args.rounds != 1),
        ('--compare-hf', args.compare_hf), ('--profile', args.profile),
        ('--check-parity', args.check_parity)) if given]
    if args.mode == 'e2e' and model_only:
        parser.error(f"{', '.join(model_only)} time the model step: use them "
                     'with --mode model')
    if args.trace and not args.profile:
        parser.error('--trace writes the profiled steps: add --profile')
    if args.rounds < 1:
        parser.error(f'--rounds must be at least 1, got {args.rounds}')
    return args


def model_mode(cfg: Config) -> str:
    return 'classify' if cfg.model['type'] == 'Recognizer' else 'pretrain'


def num_classes(cfg: Config) -> int:
    head = cfg.model.get('cls_head', {})
    return int(head.get('num_classes', 400))


def clip_shape(cfg: Config) -> List[int]:
    backbone = cfg.model['backbone']
    size = backbone.get('img_size', 224)
    return [3, backbone.get('num_frames', 16), size, size]


def synthetic_batch(cfg: Config, batch: int, device: torch.device) -> dict:
    """uint8 clips ``(B, 1, C, T, H, W)`` on the device (and labels)."""
    generator = torch.Generator(device='cpu').manual_seed(0)
    clips = torch.randint(0, 256, (batch, 1, *clip_shape(cfg)),
                          dtype=torch.uint8, generator=generator).to(device)
    data = dict(inputs=clips)
    if model_mode(cfg) == 'classify':
        labels = torch.randint(0, num_classes(cfg), (batch, ),
                               generator=generator)
        data['data_samples'] = [
            ActionDataSample().set_gt_label(int(label)).to(device)
            for label in labels
        ]
    return data


def select_sdpa_backend(name: str) -> None:
    """Leave only one SDPA kernel family enabled (the math fallback stays
    for shapes it cannot take)."""
    if name == 'default':
        return
    torch.backends.cuda.enable_flash_sdp(name == 'flash')
    torch.backends.cuda.enable_cudnn_sdp(name == 'cudnn')
    torch.backends.cuda.enable_mem_efficient_sdp(name == 'efficient')


def setup_device() -> torch.device:
    """The local GPU (or the CPU); under torchrun, also the process group
    (NCCL on GPUs, gloo on the CPU)."""
    if 'RANK' not in os.environ:
        return torch.device('cuda' if torch.cuda.is_available() else 'cpu')
    local_rank = int(os.environ['LOCAL_RANK'])
    if torch.cuda.is_available():
        torch.cuda.set_device(local_rank)
        dist.init_process_group('nccl')
        return torch.device('cuda', local_rank)
    dist.init_process_group('gloo')
    return torch.device('cpu')


def build_ours(cfg: Config, device: torch.device, amp: bool):
    model = MODELS.build(cfg.model).to(device)
    model.init_weights()
    model.train()
    if dist.is_initialized():
        # As the runner wraps it: the config's model_wrapper_cfg options
        # (e.g. gradient_as_bucket_view) and its ddp_comm_hook.
        options = dict(cfg.get('model_wrapper_cfg') or {})
        options.pop('type', None)
        options.setdefault('broadcast_buffers', False)
        model = MMDistributedDataParallel(
            model, device_ids=[device.index] if device.type == 'cuda' else
            None, **options)
        register_comm_hook(model, cfg.get('ddp_comm_hook', None))
    # the optimizer as training builds it (vmae_mm's constructor picks the
    # fused AdamW kernels on CUDA)
    optim_cfg = cfg.optim_wrapper.copy()
    optim_cfg['type'] = 'BF16OptimWrapper' if amp else 'OptimWrapper'
    optim_wrapper = build_optim_wrapper(model, optim_cfg)
    # as VMAERunner does: the non-finite step guard, on by default
    guard = cfg.get('nonfinite_guard', DEFAULT_NONFINITE_GUARD)
    if guard is not None:
        install_nonfinite_guard(optim_wrapper, **guard)
    return model, optim_wrapper


def hf_step(cfg: Config, attn: str, batch: int, device: torch.device,
            amp: bool) -> Callable[[], None]:
    """One full training step of transformers' VideoMAE on random clips."""
    mode = model_mode(cfg)
    model = build_hf_model(cfg.model, mode, attn, num_classes(cfg)).to(device)
    model.train()
    opt_cfg = cfg.optim_wrapper['optimizer']
    optimizer = torch.optim.AdamW(
        model.parameters(), lr=opt_cfg['lr'],
        betas=tuple(opt_cfg.get('betas', (0.9, 0.999))),
        weight_decay=opt_cfg.get('weight_decay', 0.05),
        fused=device.type == 'cuda')
    C, T, H, W = clip_shape(cfg)
    pixels = torch.randn(batch, T, C, H, W, device=device)  # normalized
    labels = torch.randint(0, num_classes(cfg), (batch, ), device=device)
    masking = TubeMasking(cfg.model.get('mask_generator', {}).get(
        'mask_ratio', 0.9))
    config = model.config
    grid = (T // config.tubelet_size, H // config.patch_size,
            W // config.patch_size)

    def step() -> None:
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=amp):
            if mode == 'pretrain':
                out = model(pixel_values=pixels,
                            bool_masked_pos=masking(batch, grid, device))
            else:
                out = model(pixel_values=pixels, labels=labels)
        out.loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)

    return step


def compile_setting(cfg: Config, args) -> Optional[dict]:
    """``torch.compile`` keyword arguments for our model, or None to run it
    eagerly: the config's ``compile`` key (``True`` or a dict of options),
    unless ``--compile`` / ``--no-compile`` says otherwise; ``--compile-mode``
    and ``--inductor`` override the config's options."""
    configured = cfg.get('compile', None)
    enabled = bool(configured) if args.compile is None else args.compile
    if not enabled:
        return None
    options = dict(configured) if isinstance(configured, dict) else {}
    if args.compile_mode:
        options['mode'] = args.compile_mode
    if args.inductor:
        options['options'] = dict(options.get('options', {}),
                                  **args.inductor)
    return options


def flops_per_clip(model: torch.nn.Module, cfg: Config) -> float:
    """Forward multiply-adds of one clip (fvcore), for MFU."""
    return count_flops(model, [1, *clip_shape(cfg)]).per_sample


def row(label: str, timing: StepTiming, device: torch.device,
        fwd_flops: Optional[float], extra: Optional[dict] = None) -> dict:
    clips = timing.clips_per_second
    result = dict(
        label=label,
        batch=timing.batch_size,
        clips_per_s=round(clips, 1),  # per process (per GPU)
        step_ms=round(timing.median_step * 1000, 2),
        host_ms=round(timing.median_host * 1000, 2),
        peak_mem_gib=round(timing.peak_memory_bytes / 2**30, 2),
        peak_mem_per_clip_mib=round(
            timing.peak_memory_bytes / 2**20 / timing.batch_size, 1))
    peak = bf16_peak_tflops(torch.cuda.get_device_name(device)
                            ) if device.type == 'cuda' else None
    if fwd_flops:
        result['fwd_gmacs_per_clip'] = fwd_flops / 1e9
    if fwd_flops and peak:
        # 3 forwards per training step, 2 hardware FLOPs per multiply-add.
        achieved = fwd_flops * 3 * 2 * clips / 1e12
        result['mfu_pct'] = round(100 * achieved / peak, 1)
        result['tflops'] = round(achieved, 1)
    result.update(extra or {})
    return result


def check_parity(model, data: dict) -> dict:
    """The same batch and masks in fp32 and under bf16 autocast."""
    losses = {}
    with torch.no_grad():
        batch = model.data_preprocessor(data, training=True)
        for name, enabled in (('fp32', False), ('bf16', True)):
            torch.manual_seed(0)  # the same masks for both
            device_type = batch['inputs'].device.type
            with torch.autocast(device_type, dtype=torch.bfloat16,
                                enabled=enabled):
                out = model(**batch, mode='loss')
            losses[name] = float(sum(v for k, v in out.items()
                                     if 'loss' in k))
    losses['rel_diff'] = abs(losses['bf16'] - losses['fp32']) / abs(
        losses['fp32'])
    return losses


@dataclass
class TimedStep:
    """A training step to time, with what its rows record."""

    label: str
    step: Callable[[], None]
    extra: dict


def our_step(cfg: Config, args, device: torch.device,
             batch: int) -> Tuple[TimedStep, float]:
    """Our model's full training step on synthetic clips, and its forward
    multiply-adds per clip."""
    compile_cfg = compile_setting(cfg, args)
    label = args.label or ('vmae_mm' +
                           (' compiled' if compile_cfg is not None else ''))
    model, optim_wrapper = build_ours(cfg, device, not args.fp32)
    bare = model.module if dist.is_initialized() else model
    fwd_flops = flops_per_clip(bare, cfg)
    data = synthetic_batch(cfg, batch, device)
    extra = dict(world_size=dist.get_world_size()
                 if dist.is_initialized() else 1)
    if args.sdpa_backend != 'default':
        extra['sdpa_backend'] = args.sdpa_backend
    if compile_cfg is not None:
        extra['compile'] = compile_cfg
    decoder_masking = cfg.model.get('decoder_mask_generator')
    if decoder_masking:
        # another recipe than transformers' (VideoMAE v2's dual masking)
        extra['decoder_masking'] = dict(decoder_masking)
    if args.check_parity:
        extra['loss_parity'] = check_parity(bare, data)
    if compile_cfg is not None:
        compile_model(model, compile_cfg)
        if args.ddp_split:
            torch._dynamo.config.optimize_ddp = True

    def step() -> None:
        model.train_step(data, optim_wrapper)

    return TimedStep(label, step, extra), fwd_flops


def time_row(timed: TimedStep, args, batch: int, device: torch.device,
             fwd_flops: float, extra: Optional[dict] = None) -> dict:
    timer = time_steps_pipelined if args.pipelined else time_steps
    timing = timer(timed.step, batch, args.warmup, args.steps, device)
    extra = dict(timed.extra, **(extra or {}))
    extra['timing'] = 'pipelined' if args.pipelined else 'per-step sync'
    if args.profile:
        trace = (osp.join(args.trace, trace_name(timed.label))
                 if args.trace else None)
        extra['kernels'] = profile_step(timed.step, device, top=60,
                                        trace_path=trace).as_dict()
        if trace:
            extra['trace'] = osp.basename(trace)
    return row(timed.label, timing, device, fwd_flops, extra)


def trace_name(label: str) -> str:
    """A file name for the trace of the row ``label``."""
    return re.sub(r'[^A-Za-z0-9_.-]+', '_', label).strip('_') + '.json.gz'


def run_model(cfg: Config, args, device: torch.device,
              batch: int) -> List[dict]:
    """Our step, then (``--compare-hf``) transformers' on the same card.

    With one round each model is freed before the next is built. With
    ``--rounds N`` all stay built and are timed in turn N times, so a drift
    of the card or the host shows in every model's rows alike (peak memory
    then counts the other models' weights and optimizer states too).
    """
    ours, fwd_flops = our_step(cfg, args, device, batch)
    attns = args.hf_attn if args.compare_hf else []
    hf_flops = reference_flops(cfg) if attns else None

    def hf(attn: str) -> TimedStep:
        if device.type == 'cuda':
            torch.cuda.empty_cache()
        return TimedStep(f'transformers {attn}',
                         hf_step(cfg, attn, batch, device, not args.fp32),
                         dict(recipe=REFERENCE_RECIPE))

    if args.rounds == 1:
        results = [time_row(ours, args, batch, device, fwd_flops)]
        del ours  # our model is freed before transformers' is built
        for attn in attns:
            results.append(time_row(hf(attn), args, batch, device,
                                    hf_flops or fwd_flops))
        return results
    steps = [ours] + [hf(attn) for attn in attns]
    return [
        time_row(timed, args, batch, device,
                 fwd_flops if timed is ours else hf_flops or fwd_flops,
                 dict(round=r, resident_models=len(steps)))
        for r in range(args.rounds) for timed in steps
    ]


# what transformers' VideoMAE computes: it has no decoder masking
REFERENCE_RECIPE = 'tube masking, decoder over all tokens'


def reference_flops(cfg: Config) -> Optional[float]:
    """Forward multiply-adds per clip of the model transformers builds for
    ``cfg``, where they differ from ours: with VideoMAE v2's decoder masking
    our decoder does less work than transformers' (which has no such
    option), so its rows are counted on our model without it. ``None``
    when the counts are the same."""
    if not cfg.model.get('decoder_mask_generator'):
        return None
    plain = copy.deepcopy(cfg.model)
    plain['decoder_mask_generator'] = None
    return flops_per_clip(MODELS.build(plain), cfg)


def steady_loader_cfg(cfg: Config, batch: int,
                      num_workers: Optional[int]) -> dict:
    """The config's train dataloader, endless: an ``InfiniteSampler``
    (shuffled) in place of the epoch sampler, so no timed step waits for
    the workers to restart at an epoch's end (on a full dataset that is one
    pause in thousands of steps; on a benchmark's few hundred videos it
    would be most of what is timed)."""
    loader_cfg = cfg.train_dataloader.copy()
    loader_cfg['batch_size'] = batch
    loader_cfg['sampler'] = dict(type='InfiniteSampler', shuffle=True)
    if num_workers is not None:
        loader_cfg['num_workers'] = num_workers
    return loader_cfg


def prefetch_backlog(loader_cfg: dict) -> int:
    """Batches the workers can have ready before the first is asked for:
    made while the model compiles, they must be used up before timing."""
    workers = loader_cfg.get('num_workers', 0)
    return workers * (loader_cfg.get('prefetch_factor') or 2)


def time_loader_alone(batches, backlog: int, steps: int) -> float:
    """Seconds per batch of the loader with nothing else running: the
    ready backlog is taken first, then ``steps`` batches are timed."""
    for _ in range(backlog):
        next(batches)
    start = time.perf_counter()
    for _ in range(steps):
        next(batches)
    return (time.perf_counter() - start) / steps


def run_e2e(cfg: Config, args, device: torch.device,
            batch: int) -> List[dict]:
    """The config's dataloader feeding real training steps, in steady
    state: time waiting for data against time in the step, then the loader
    alone (what the workers deliver when nothing waits on the GPU)."""
    amp = not args.fp32
    model, optim_wrapper = build_ours(cfg, device, amp)
    fwd_flops = flops_per_clip(
        model.module if dist.is_initialized() else model, cfg)
    loader_cfg = steady_loader_cfg(cfg, batch, args.num_workers)
    # As the Runner does before building loaders: OpenCV single-threaded in
    # every worker (mp_cfg), so 16 workers do not run 16 threads each.
    set_multi_processing(**cfg.get('env_cfg', {}).get('mp_cfg', {}),
                         distributed=dist.is_initialized())
    loader = Runner.build_dataloader(loader_cfg, seed=0)
    compile_cfg = compile_setting(cfg, args)
    if compile_cfg is not None:
        compile_model(model, compile_cfg)
    train_step = model.train_step
    # a device-side crop makes several clips of each loaded video
    clips_per_input = getattr(
        getattr(model, 'module', model).data_preprocessor, 'clips_per_input',
        1)
    backlog = prefetch_backlog(loader_cfg)
    untimed = args.warmup + backlog
    waits: List[float] = []
    hosts: List[float] = []
    totals: List[float] = []
    clips = 0
    batches = iter(loader)
    for i in range(untimed + args.steps):
        start = time.perf_counter()
        data = next(batches)
        loaded = time.perf_counter()
        train_step(data, optim_wrapper)
        returned = time.perf_counter()
        if device.type == 'cuda':
            torch.cuda.synchronize(device)
        if i >= untimed:
            waits.append(loaded - start)
            hosts.append(returned - loaded)
            totals.append(time.perf_counter() - start)
            clips += len(data['inputs']) * clips_per_input
    timing = StepTiming(clips // len(totals), totals, peak_memory(device),
                        hosts)
    loader_seconds = time_loader_alone(batches, backlog, args.steps)
    label = args.label or 'vmae_mm end to end'
    return [row(label, timing, device, fwd_flops,
                dict(data_wait_fraction=round(sum(waits) / sum(totals), 3),
                     loader_alone_clips_per_s=round(
                         timing.batch_size / loader_seconds, 1),
                     untimed_steps=untimed,
                     num_workers=loader_cfg.get('num_workers', 0)))]


def environment(device: torch.device) -> Dict[str, str]:
    info = dict(torch=torch.__version__, mmengine=mmengine.__version__,
                python=platform.python_version())
    try:
        import transformers
        info['transformers'] = transformers.__version__
    except ImportError:
        pass
    info['device'] = (torch.cuda.get_device_name(device)
                      if device.type == 'cuda' else platform.processor()
                      or 'cpu')
    return info


def main() -> None:
    args = parse_args()
    # Quiet mmengine's per-parameter init report; results print below.
    MMLogger.get_instance('vmae_mm_benchmark', log_level='WARNING')
    cfg = load_config(args.config, args.cfg_options)
    init_default_scope('vmae_mm')
    device = setup_device()
    select_sdpa_backend(args.sdpa_backend)
    batch = args.batch or cfg.train_dataloader['batch_size']
    torch.manual_seed(0)
    if args.mode == 'model':
        results = run_model(cfg, args, device, batch)
    else:
        results = run_e2e(cfg, args, device, batch)
    if dist.is_initialized() and dist.get_rank() != 0:
        return
    env = environment(device)
    print(f"device: {env['device']}  torch {env['torch']}  "
          f"transformers {env.get('transformers', '-')}  config "
          f'{args.config}  mode {args.mode}  bf16 {not args.fp32}')
    for result in results:
        print('  '.join(f'{k}={v}' for k, v in result.items()
                        if k != 'kernels'))
        if 'kernels' in result:
            kernels = result['kernels']
            print(f"  {kernels['device']} ms per step by kernel kind: " +
                  '  '.join(f'{k}={v}'
                            for k, v in kernels['ms_per_step'].items()))
            if 'idle' in kernels:
                idle = kernels['idle']
                print(f"  idle between kernels, ms per step: {idle['idle_ms']}"
                      f" (device waiting for the host {idle['starved_ms']}, "
                      f"launch already queued {idle['queued_ms']}, launch "
                      f"unknown {idle['unlinked_ms']}) in a "
                      f"{idle['window_ms']} ms window, "
                      f"{idle['kernels_per_step']} kernels per step")
    if args.out:
        record = dict(config=args.config, mode=args.mode, env=env,
                      argv=sys.argv[1:], results=results)
        with open(args.out, 'a') as f:
            f.write(json.dumps(record) + '\n')


if __name__ == '__main__':
    main()
