"""FSDP through tools/dist_train.sh on 2 CPU processes (gloo): the sharded
run trains and writes a checkpoint with the full, unsharded weights."""
import math
import re

import torch
from mmengine.config import Config

from vmae_mm.engine.flexible_runner import transformer_block_wrap_policy
from vmae_mm.engine.setup_checks import free_port
from vmae_mm.models.layers.block import Block
from vmae_mm.registry import MODELS

from ..conftest import REPO_ROOT, TINY_PRETRAIN_CONFIG, run_tool
from ..engine.test_exact_resume import losses


def test_wrap_policy_makes_every_block_a_unit():
    block = Block(32, 2, 64)
    assert transformer_block_wrap_policy(block, recurse=True,
                                         nonwrapped_numel=0)
    assert transformer_block_wrap_policy(block, False, 0)
    assert not transformer_block_wrap_policy(torch.nn.Linear(2, 2), False, 0)


def test_shipped_fsdp_configs_select_the_flexible_runner():
    for name in ('vmae_vitl_ssv2_fsdp.py', 'vmae_vith_ssv2_fsdp.py'):
        cfg = Config.fromfile(f'{REPO_ROOT}/configs/{name}')
        assert cfg.runner_type == 'VMAEFlexibleRunner'
        assert cfg.strategy.type == 'FSDPStrategy'


def test_fsdp_trains_on_two_processes(tmp_path, synthetic_root):
    config = tmp_path / 'tiny_fsdp.py'
    config.write_text(
        f"_base_ = [{TINY_PRETRAIN_CONFIG!r}, "
        f"{REPO_ROOT + '/configs/_base_/strategies/fsdp.py'!r}]\n"
        "runner_type = 'VMAEFlexibleRunner'\n"
        "train_dataloader = dict(batch_size=2)\n"
        "log_processor = dict(window_size=1)\n"
        "custom_hooks = []\n")
    work_dir = tmp_path / 'run'
    result = run_tool(['tools/dist_train.sh', str(config), '2', '--work-dir',
                       str(work_dir), '--cfg-options',
                       f'train_dataloader.dataset.data_root={synthetic_root}'],
                      env=dict(PORT=str(free_port())))
    assert result.returncode == 0, result.stderr[-3000:]
    logged = losses(work_dir)
    assert sorted(logged) == [1, 2, 3, 4, 5]
    assert all(math.isfinite(v) for v in logged.values())

    checkpoint = torch.load(work_dir / 'epoch_1.pth', weights_only=True)
    model = MODELS.build(Config.fromfile(str(config)).model)
    expected = {k: v.shape for k, v in model.state_dict().items()}
    assert {k: v.shape for k, v in checkpoint['state_dict'].items()
            } == expected  # full weights under their usual names
    assert checkpoint['optimizer']['state']

    # FSDP flattens parameters and renames them: the groups must still exempt
    # exactly the parameters the unwrapped model declares.
    log = next(work_dir.glob('*/*.log')).read_text()
    exempt = re.findall(r'weight decay 0\.0\s+(\d+) tensors', log)
    assert [int(n) for n in exempt] == [len(model.no_weight_decay())]
