"""Checks on a GPU what the CPU tests cannot reach: the non-finite guard's
device-side skip (fused AdamW with ``found_inf``, the verdict sent through
pinned memory and a CUDA event), DeferredRuntimeInfoHook's non-blocking
copies, and that the training steps of the user configs (pretraining with
the crop on the GPU, finetuning with mixup/cutmix, shrunk to a tiny ViT)
make no synchronizing CUDA call (``torch.cuda.set_sync_debug_mode``).
Prints each check; exits 1 if any fails.

    python tools/analysis/check_gpu_paths.py
"""
import os.path as osp
import sys
from types import SimpleNamespace
from typing import Callable, Optional

import torch
from mmengine.logging import MessageHub
from mmengine.optim import OptimWrapper

from vmae_mm.engine.hooks import DeferredRuntimeInfoHook
from vmae_mm.engine.launch import load_config
from vmae_mm.engine.nonfinite_guard import install_nonfinite_guard
from vmae_mm.engine.optimizers import BF16OptimWrapper
from vmae_mm.registry import MODELS
from vmae_mm.structures import ActionDataSample

CONFIGS = osp.join(osp.dirname(osp.abspath(__file__)), '..', '..', 'configs')
TINY_VIT = dict(arch=dict(_delete_=True, embed_dims=64, num_layers=2,
                          num_heads=2, mlp_dims=128), img_size=32,
                init_cfg=None)


def tiny_model(config: str, **changes) -> torch.nn.Module:
    """The ``model`` of a user config with a 2-block ViT on 32x32 clips."""
    cfg = load_config(osp.join(CONFIGS, config),
                      dict(changes, **{f'model.backbone.{k}': v
                                       for k, v in TINY_VIT.items()}))
    return MODELS.build(cfg.model).cuda()


def sync_in_steps(model: torch.nn.Module, batch: Callable[[], dict],
                  steps: int = 3) -> Optional[str]:
    """The first synchronizing CUDA call of ``steps`` training steps (bf16,
    fused AdamW, the non-finite guard), after one warm-up step; None when
    there is none."""
    wrapper = install_nonfinite_guard(BF16OptimWrapper(
        optimizer=torch.optim.AdamW(model.parameters(), fused=True)))
    model.train_step(batch(), wrapper)  # lazy initializations may sync
    torch.cuda.synchronize()
    torch.cuda.set_sync_debug_mode('error')
    try:
        for _ in range(steps):
            model.train_step(batch(), wrapper)
    except RuntimeError as error:
        return str(error).splitlines()[0]
    finally:
        torch.cuda.set_sync_debug_mode('default')
    return None


def loader_batch(num_clips: int, height: int, width: int,
                 num_classes: Optional[int] = None) -> dict:
    """What the train loader hands the model: uint8 clips ``(B, 1, 3, 16,
    H, W)`` stacked in pinned memory, labels in data samples on the host."""
    clips = torch.randint(0, 256, (num_clips, 1, 3, 16, height, width),
                          dtype=torch.uint8).pin_memory()
    data = dict(inputs=clips)
    if num_classes:
        data['data_samples'] = [
            ActionDataSample().set_gt_label(i % num_classes)
            for i in range(num_clips)
        ]
    return data


def main() -> int:
    if not torch.cuda.is_available():
        print('check_gpu_paths.py needs a CUDA device (the tests under '
              'tests/engine cover the CPU paths)', file=sys.stderr)
        return 2
    torch.manual_seed(0)
    model = torch.nn.Linear(64, 64).cuda()
    wrapper = install_nonfinite_guard(OptimWrapper(
        optimizer=torch.optim.AdamW(model.parameters(), lr=0.1, fused=True)))
    x = torch.randn(8, 64, device='cuda')
    wrapper.update_params(model(x).square().mean())
    before = [p.detach().clone() for p in model.parameters()]
    steps = [s['step'].clone() for s in wrapper.optimizer.state.values()]
    wrapper.update_params(model(x).square().mean() * float('nan'))
    unchanged = all(
        torch.equal(a, b) for a, b in zip(before, model.parameters()))
    same_steps = all(torch.equal(a, b['step']) for a, b in
                     zip(steps, wrapper.optimizer.state.values()))
    counted_late = wrapper.skipped_total == 0
    wrapper.settle()
    checks = dict(nan_step_left_params=unchanged,
                  nan_step_left_step_counts=same_steps,
                  counted_after_settle=counted_late
                  and wrapper.skipped_total == 1)
    wrapper.update_params(model(x).square().mean())
    moved = not all(
        torch.equal(a, b) for a, b in zip(before, model.parameters()))
    checks['next_finite_step_updates'] = moved

    hub = MessageHub.get_instance('cuda_check')
    runner = SimpleNamespace(message_hub=hub, hooks=[],
                             train_dataloader=range(100))
    hook = DeferredRuntimeInfoHook(max_pending=2)
    losses = [(x * (i + 1)).mean() for i in range(6)]
    for i, loss in enumerate(losses):  # no host read before the hook's
        hook.after_train_iter(runner, i, outputs=dict(loss=loss))
    hook.after_train(runner)
    logged = list(hub.get_scalar('train/loss').data[0])
    checks['deferred_values_in_order'] = logged == [float(v) for v in losses]

    pretrain = tiny_model(
        'vmae_vitb_k400_gpu_crop.py',
        **{'model.data_preprocessor.augment.input_size': 32,
           'model.data_preprocessor.augment.num_samples': 2,
           'model.neck.in_dims': 64})
    finetune = tiny_model('vmae_vitb_ssv2_ft.py',
                          **{'model.cls_head.in_channels': 64})
    for name, model, batch in (
            ('pretrain_gpu_crop_step_never_syncs', pretrain,
             lambda: loader_batch(4, 40, 48)),
            ('finetune_mixup_step_never_syncs', finetune,
             lambda: loader_batch(4, 32, 32, num_classes=174))):
        sync = sync_in_steps(model, batch)
        if sync:
            print(f'     {name}: {sync}')
        checks[name] = sync is None
    for name, passed in checks.items():
        print(f"{'ok  ' if passed else 'FAIL'} {name}")
    print(torch.cuda.get_device_name())
    return 0 if all(checks.values()) else 1


if __name__ == '__main__':
    sys.exit(main())
