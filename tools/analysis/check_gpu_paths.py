"""Checks on a GPU what the CPU tests cannot reach: the non-finite guard's
device-side skip (fused AdamW with ``found_inf``, the verdict sent through
pinned memory and a CUDA event) and DeferredRuntimeInfoHook's non-blocking
copies. Prints each check; exits 1 if any fails.

    python tools/analysis/check_gpu_paths.py
"""
import sys
from types import SimpleNamespace

import torch
from mmengine.logging import MessageHub
from mmengine.optim import OptimWrapper

from vmae_mm.engine.hooks import DeferredRuntimeInfoHook
from vmae_mm.engine.nonfinite_guard import install_nonfinite_guard


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
    for name, passed in checks.items():
        print(f"{'ok  ' if passed else 'FAIL'} {name}")
    print(torch.cuda.get_device_name())
    return 0 if all(checks.values()) else 1


if __name__ == '__main__':
    sys.exit(main())
