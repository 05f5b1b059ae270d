"""The gradient all-reduce hooks of vmae_mm.engine.ddp_comm, under gloo."""
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


def _worker(rank: int, world: int, port: int, out: str) -> None:
    # a collective that waits longer than the timeout raises instead of
    # hanging the test
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
    if rank == 0:
        torch.save(dict(grad=model.module.weight.grad, locals=locals_), out)
    dist.destroy_process_group()


def test_fp16_hook_averages_in_half_precision():
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, 'grads.pt')
        context = mp.start_processes(_worker, args=(2, free_port(), out),
                                     nprocs=2, join=False)
        deadline = time.time() + 180
        while not context.join(timeout=1):  # raises if a worker failed
            if time.time() > deadline:
                for process in context.processes:
                    process.kill()
                raise AssertionError('the 2 workers did not finish in 180 s')
        saved = torch.load(out)
    g0, g1 = saved['locals']
    exact = (g0 + g1) / 2
    # fp16_compress_hook: cast, divide by the world size, sum, cast back
    expected = ((g0.half() / 2) + (g1.half() / 2)).float()
    torch.testing.assert_close(saved['grad'], expected, rtol=0, atol=0)
    assert not torch.equal(saved['grad'], exact)
    torch.testing.assert_close(saved['grad'], exact, rtol=2e-3, atol=1e-3)
