"""A real (tiny) mmengine training run on random clips, for hook tests."""
import uuid
from typing import List, Optional, Sequence

import torch
from mmengine.dataset import pseudo_collate
from mmengine.runner import Runner
from torch.utils.data import DataLoader

from vmae_mm.structures import ActionDataSample


def random_clips(num: int, shape: Sequence[int]) -> List[dict]:
    """Seeded random uint8 clips, one view each: ``(1, *shape)`` with
    ``shape = (C, T, H, W)``."""
    generator = torch.Generator().manual_seed(0)
    return [
        dict(inputs=torch.randint(0, 256, (1, *shape), dtype=torch.uint8,
                                  generator=generator),
             data_samples=ActionDataSample()) for _ in range(num)
    ]


def train_tiny(work_dir: str, name: str, model: dict, hooks: list,
               clips: List[dict], batch_size: int, train_cfg: dict,
               seed: Optional[int] = None) -> Runner:
    """Train ``model`` on ``clips`` (in order) with ``hooks``; AdamW, a log
    line every iteration, no checkpoints."""
    runner = Runner(
        model=model,
        work_dir=work_dir,
        experiment_name=f'{name}_{uuid.uuid4().hex}',
        train_dataloader=DataLoader(clips, batch_size=batch_size,
                                    shuffle=False, collate_fn=pseudo_collate),
        train_cfg=train_cfg,
        optim_wrapper=dict(optimizer=dict(type='AdamW', lr=1e-3)),
        default_hooks=dict(logger=dict(type='LoggerHook', interval=1),
                           checkpoint=None),
        custom_hooks=hooks,
        randomness=dict(seed=seed),
        default_scope='vmae_mm')
    runner.train()
    return runner


def train_losses(runner: Runner) -> List[float]:
    """Every iteration's logged loss."""
    return runner.message_hub.get_scalar('train/loss').data[0].tolist()
