"""Reconstruction pictures while pretraining."""
import os
import os.path as osp
from typing import Optional

import torch
from mmengine.dist import is_main_process
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from vmae_mm.registry import HOOKS
from vmae_mm.visualization import (check_reconstructs, draw_model_mask,
                                   reconstruction_grid, seeded_rng, write_png)


@HOOKS.register_module()
class ReconstructionVisualizationHook(Hook):
    """Every ``interval`` iterations, draws original / masked input /
    reconstruction of one training clip.

    On rank 0, after the iteration's update, the model reconstructs the
    first clip of the batch (or, with ``fixed_clip=True``, the first clip of
    the first batch, kept for the whole run) under a mask drawn by its own
    ``mask_generator`` with a fixed ``seed``, so successive pictures differ
    only by training. The picture goes to
    ``work_dir/<out_dir>/iter_XXXXXX.png`` and, as ``reconstruction``, to the
    runner's visualizer (TensorBoard or W&B when those backends are
    configured).

    The forward pass runs without gradients in eval mode (the train mode is
    put back), and the random state is restored afterwards, so a run makes
    the same updates with and without this hook.

    Args:
        interval (int): Iterations between pictures. Defaults to 100.
        seed (int): Seed of the mask. Defaults to 0.
        fixed_clip (bool): Show the same clip every time. Defaults to False.
        out_dir (str): Folder under the work dir. Defaults to ``'vis'``.
        min_side (int): Frames are scaled up (nearest-neighbour, integer
            factor) to at least this many pixels. Defaults to 160.
    """

    priority = 'LOW'

    def __init__(self,
                 interval: int = 100,
                 seed: int = 0,
                 fixed_clip: bool = False,
                 out_dir: str = 'vis',
                 min_side: int = 160) -> None:
        if interval < 1:
            raise ValueError(f'ReconstructionVisualizationHook: interval '
                             f'must be positive, got {interval}')
        self.interval = interval
        self.seed = seed
        self.fixed_clip = fixed_clip
        self.out_dir = out_dir
        self.min_side = min_side
        self._clip: Optional[torch.Tensor] = None

    @staticmethod
    def _model(runner) -> torch.nn.Module:
        return runner.model.module if is_model_wrapper(
            runner.model) else runner.model

    @staticmethod
    def _first_clip(data_batch: dict) -> torch.Tensor:
        """The first view of the first sample, uint8 ``(C, T, H, W)``."""
        clip = data_batch['inputs'][0]
        while clip.ndim > 4:  # (V, C, T, H, W) views
            clip = clip[0]
        return clip.detach().cpu()

    def before_train(self, runner) -> None:
        check_reconstructs(self._model(runner))  # fail before training

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch: Optional[dict] = None,
                         outputs: Optional[dict] = None) -> None:
        if not is_main_process() or data_batch is None:
            return
        if self.fixed_clip and self._clip is None:
            self._clip = self._first_clip(data_batch)
        if not self.every_n_train_iters(runner, self.interval):
            return
        clip = self._clip if self.fixed_clip else self._first_clip(
            data_batch)
        model = self._model(runner)
        generator = model.mask_generator
        grid = model.backbone.token_grid(clip.shape[1:])
        step = runner.iter + 1
        # Everything random happens under the hook's own seed, and the
        # training run's random state is put back afterwards.
        with seeded_rng(self.seed):
            mask = draw_model_mask(generator, grid, self.seed,
                                   next(model.parameters()).device)
            image = reconstruction_grid(
                model, clip, mask,
                f'iter {step}, {type(generator).__name__} '
                f'{generator.mask_ratio:g}', min_side=self.min_side)
        folder = osp.join(runner.work_dir, self.out_dir)
        os.makedirs(folder, exist_ok=True)
        write_png(osp.join(folder, f'iter_{step:06d}.png'), image)
        runner.visualizer.add_image('reconstruction', image, step=step)
