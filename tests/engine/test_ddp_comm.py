"""The gradient all-reduce hooks of vmae_mm.engine.ddp_comm, under gloo."""
import faulthandler
import os
import tempfile
import time
from datetime import timedelta

import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from torch import nn
from torch.nn.parallel import DistributedDataParallel

from vmae_mm.engine.ddp_comm import check_comm_hook_name, register_comm_hook
from vmae_mm.engine.setup_checks import free_port


def test_unknown_hook_name_is_one_line_error():
    with pytest.raises(ValueError, match="ddp_comm_hook='int8'"):
        check_comm_hook_name('int8')
    check_comm_hook_name(None)
    check_comm_hook_name('bf16')


def test_single_process_model_gets_no_hook():
    assert not register_comm_hook(nn.Linear(2, 2), 'fp16')
    assert not register_comm_hook(nn.Linear(2, 2), None)


def _worker(rank: int, world: int, port: int, out_dir: str) -> None:
    # A hang prints every thread's stack to the test's output and exits; a
    # collective that waits longer than the timeout raises.
    faulthandler.dump_traceback_later(150, exit=True)
    dist.init_process_group('gloo', init_method=f'tcp://127.0.0.1:{port}',
                            rank=rank, world_size=world,
                            timeout=timedelta(seconds=60))
    torch.manual_seed(0)
    model = DistributedDataParallel(nn.Linear(64, 8))
    with pytest.raises(ValueError, match='needs the NCCL backend'):
        register_comm_hook(model, 'bf16')
    assert register_comm_hook(model, 'fp16')
    # Each rank's own input; the averaged gradient goes through fp16.
    x = torch.randn(4, 64, generator=torch.Generator().manual_seed(rank))
    model(x).square().sum().backward()
    local = torch.func.grad(lambda w: torch.nn.functional.linear(
        x, w, model.module.bias).square().sum())(model.module.weight.detach())
    locals_ = [torch.empty_like(local) for _ in range(world)]
    dist.all_gather(locals_, local)
    dist.destroy_process_group()
    torch.save(dict(grad=model.module.weight.grad, locals=locals_),
               os.path.join(out_dir, f'rank{rank}.part'))
    os.replace(os.path.join(out_dir, f'rank{rank}.part'),
               os.path.join(out_dir, f'rank{rank}.pt'))
    faulthandler.cancel_dump_traceback_later()


def run_two_workers(out_dir: str, deadline_s: float = 180) -> None:
    """Run ``_worker`` on 2 spawned processes until both saved their
    results. A worker that fails raises here with its traceback; workers
    still exiting after their results are saved get 30 s, then are killed
    (interpreter teardown is not what this file tests)."""
    context = mp.start_processes(_worker, args=(2, free_port(), out_dir),
                                 nprocs=2, join=False)
    deadline = time.time() + deadline_s
    try:
        while not all(os.path.exists(os.path.join(out_dir, f'rank{r}.pt'))
                      for r in range(2)):
            if any(process.exitcode not in (None, 0)
                   for process in context.processes):
                context.join()  # raises with the failed worker's traceback
            assert time.time() < deadline, \
                f'the 2 workers did not save their results in {deadline_s} s'
            time.sleep(0.1)
    finally:
        for process in context.processes:
            process.join(30)
            if process.is_alive():
                process.kill()


def test_fp16_hook_averages_in_half_precision():
    with tempfile.TemporaryDirectory() as tmp:
        run_two_workers(tmp)
        saved = torch.load(os.path.join(tmp, 'rank0.pt'))
        other = torch.load(os.path.join(tmp, 'rank1.pt'))
    g0, g1 = saved['locals']
    exact = (g0 + g1) / 2
    # fp16_compress_hook: cast, divide by the world size, sum, cast back
    expected = ((g0.half() / 2) + (g1.half() / 2)).float()
    torch.testing.assert_close(saved['grad'], expected, rtol=0, atol=0)
    torch.testing.assert_close(other['grad'], saved['grad'], rtol=0, atol=0)
    assert not torch.equal(saved['grad'], exact)
    torch.testing.assert_close(saved['grad'], exact, rtol=2e-3, atol=1e-3)
