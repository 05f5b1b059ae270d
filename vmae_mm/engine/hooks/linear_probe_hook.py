"""A linear probe on frozen encoder features while pretraining."""
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch
from mmengine.dist import is_main_process
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from vmae_mm.registry import DATASETS, HOOKS
from ..rng import isolated_rng

#: Ridge strengths tried (times the number of training samples); the one
#: with the best leave-one-out accuracy on the probe's training split wins.
DEFAULT_RIDGES = (1e-3, 1e-2, 1e-1, 1.0, 10.0)


def ridge_fits(train_x: torch.Tensor, train_y: torch.Tensor,
               num_classes: int, ridges: Sequence[float]
               ) -> List[Tuple[float, torch.Tensor, torch.Tensor,
                               torch.Tensor]]:
    """Closed-form ridge regressions onto one-hot targets, one per strength,
    with their exact leave-one-out predictions.

    Features are standardized with the training mean and std (a fixed
    transform); the intercept is not penalized (centred regression), the
    slopes are, by ``ridge * N``. Everything is float64 and deterministic.

    Args:
        train_x (Tensor): Features ``(N, D)``.
        train_y (Tensor): Class indices ``(N,)``.
        num_classes (int): K.
        ridges (Sequence[float]): Strengths, each multiplied by N.

    Returns:
        list[tuple]: Per strength: ``ridge``, ``weight`` ``(D, K)`` and
        ``bias`` ``(K,)`` acting on raw features (the standardization folded
        in), and the leave-one-out scores ``(N, K)`` (row i from the fit
        without sample i, by the hat-matrix identity).
    """
    x = train_x.double()
    n = x.shape[0]
    if n < 2:
        raise ValueError(f'a linear probe needs at least 2 training clips, '
                         f'got {n}')
    mean, std = x.mean(0), x.std(0).clamp_min(1e-6)
    xc = (x - mean) / std  # (N, D)
    targets = torch.nn.functional.one_hot(train_y.long(), num_classes).double()
    y_mean = targets.mean(0)
    evals, evecs = torch.linalg.eigh(xc.T @ xc)  # (D,), (D, D)
    evals = evals.clamp_min(0)
    proj = xc @ evecs  # (N, D)
    proj_y = evecs.T @ (xc.T @ (targets - y_mean))  # (D, K)
    fits = []
    for ridge in ridges:
        inv = 1.0 / (evals + ridge * n)  # (D,)
        weight = evecs @ (inv[:, None] * proj_y)  # (D, K)
        fitted = xc @ weight + y_mean  # (N, K)
        leverage = 1.0 / n + (proj**2 * inv).sum(1)  # (N,) hat diagonal
        loo = (fitted - leverage[:, None] * targets) / (
            1 - leverage[:, None]).clamp_min(1e-12)  # (N, K)
        raw_weight = weight / std[:, None]  # (D, K)
        fits.append((ridge, raw_weight, y_mean - mean @ raw_weight, loo))
    return fits


def fit_ridge_probe(train_x: torch.Tensor, train_y: torch.Tensor,
                    num_classes: int,
                    ridges: Sequence[float] = DEFAULT_RIDGES
                    ) -> Tuple[torch.Tensor, torch.Tensor, float]:
    """The :func:`ridge_fits` strength with the best leave-one-out accuracy
    on the training features (ties: the stronger ridge).

    Args:
        train_x (Tensor): Features ``(N, D)``.
        train_y (Tensor): Class indices ``(N,)``.
        num_classes (int): K.
        ridges (Sequence[float]): Candidate strengths, each multiplied by N.
            Defaults to :data:`DEFAULT_RIDGES`.

    Returns:
        tuple: ``weight`` ``(D, K)`` and ``bias`` ``(K,)`` on raw features,
        and the chosen strength.
    """
    best = None
    for ridge, weight, bias, loo in ridge_fits(train_x, train_y,
                                               num_classes, ridges):
        acc = (loo.argmax(1) == train_y).double().mean().item()
        if best is None or acc >= best[0]:
            best = (acc, weight, bias, ridge)
    return best[1], best[2], best[3]


@HOOKS.register_module()
class LinearProbeHook(Hook):
    """Every ``interval`` epochs, fits a linear classifier on frozen
    mean-pooled encoder features of a small labeled set and logs its
    accuracy on a held-out set (``probe/top1``), so a pretraining run shows
    whether its features learn something long before any finetuning.

    On rank 0 the encoder embeds every token (``mask=None``); its output
    tokens ``(B, N, D)`` are averaged to ``(B, D)`` (a pooling backbone's
    ``(B, D)`` is used as is; views of a clip are averaged). The classifier
    is closed-form ridge regression (:func:`fit_ridge_probe`), its strength
    picked by leave-one-out on the probe's training set only. Clips are
    decoded once and kept in memory as uint8, so the datasets' pipelines
    should be deterministic (test-mode sampling, centre crops).

    The probe runs without gradients in eval mode; every module's train
    flag and every random generator (Python, numpy, torch, CUDA) are put
    back afterwards, so the training run is the same with or without it.

    Results go to the log, the visualizer's scalars (``probe/top1``,
    ``probe/train_top1``, step = epoch) and the message hub (scalars of
    those names).

    Args:
        datasets (dict): Dataset configs: ``train``, the clips the probe is
            fitted on, and ``val``, the held-out clips it is scored on.
        num_classes (int): Number of classes.
        interval (int): Probe after every epoch that is a multiple of this.
            Defaults to 10.
        max_train (int, optional): Use this many training clips, evenly
            spaced over the dataset. Defaults to None (all).
        max_val (int, optional): The same for held-out clips. Defaults to
            None (all).
        batch_size (int): Clips per forward pass. Defaults to 16.
        at_start (bool): Also probe the initial weights before training, a
            baseline for the later numbers. Defaults to False.
        ridges (Sequence[float]): Candidate ridge strengths. Defaults to
            :data:`DEFAULT_RIDGES`.
    """

    priority = 'LOW'

    def __init__(self,
                 datasets: Dict[str, dict],
                 num_classes: int,
                 interval: int = 10,
                 max_train: Optional[int] = None,
                 max_val: Optional[int] = None,
                 batch_size: int = 16,
                 at_start: bool = False,
                 ridges: Sequence[float] = DEFAULT_RIDGES) -> None:
        if interval < 1:
            raise ValueError(f'LinearProbeHook: interval must be positive, '
                             f'got {interval}')
        if num_classes < 2:
            raise ValueError(f'LinearProbeHook: num_classes must be >= 2, '
                             f'got {num_classes}')
        if set(datasets) != {'train', 'val'}:
            raise KeyError(f"LinearProbeHook: datasets must have the keys "
                           f"'train' and 'val', got {sorted(datasets)}")
        for split, cfg in datasets.items():
            # Built at the first probe; a typo should fail before training.
            if DATASETS.get(cfg.get('type')) is None:
                raise KeyError(f"LinearProbeHook: datasets.{split}.type "
                               f"{cfg.get('type')!r} is not a registered "
                               'dataset')
        self.dataset_cfgs = dict(datasets)
        self.limits = dict(train=max_train, val=max_val)
        self.num_classes = num_classes
        self.interval = interval
        self.batch_size = batch_size
        self.at_start = at_start
        self.ridges = tuple(ridges)
        self._clips: Dict[str, Tuple[List[torch.Tensor], torch.Tensor]] = {}

    # ---------------------------------------------------------------- data
    def _load(self, split: str) -> Tuple[List[torch.Tensor], torch.Tensor]:
        """The split's uint8 clips ``(V, C, T, H, W)`` and labels ``(N,)``,
        decoded once (the datasets are built at the first probe, not when
        the hook is made)."""
        if split not in self._clips:
            dataset = DATASETS.build(self.dataset_cfgs[split])
            total, limit = len(dataset), self.limits[split]
            count = total if limit is None else min(limit, total)
            if count < 1:
                raise ValueError(f'LinearProbeHook: the {split} dataset is '
                                 'empty')
            indices = np.linspace(0, total - 1, count).round().astype(int)
            clips, labels = [], []
            for index in indices.tolist():
                item = dataset[index]
                if 'gt_label' not in item['data_samples']:
                    raise KeyError(f'LinearProbeHook: clip {index} of the '
                                   f'{split} dataset has no label')
                clips.append(item['inputs'])
                labels.append(int(item['data_samples'].gt_label.reshape(-1)
                                  [0]))
            self._clips[split] = (clips, torch.tensor(labels))
        return self._clips[split]

    @torch.no_grad()
    def _features(self, model: torch.nn.Module,
                  clips: List[torch.Tensor]) -> torch.Tensor:
        """Mean-pooled encoder features ``(N, D)``, float64 on the CPU."""
        feats = []
        for start in range(0, len(clips), self.batch_size):
            data = model.data_preprocessor(
                dict(inputs=clips[start:start + self.batch_size]),
                training=False)
            inputs = data['inputs']
            views = 1
            if inputs.ndim == 6:  # (B, V, C, T, H, W)
                views = inputs.shape[1]
                inputs = inputs.flatten(0, 1)  # (B*V, C, T, H, W)
            out = model.backbone(inputs, mask=None)
            if out.ndim == 3:
                out = out.mean(dim=1)  # (B*V, D) mean over tokens
            out = out.reshape(-1, views, out.shape[-1]).mean(1)  # (B, D)
            feats.append(out.double().cpu())
        return torch.cat(feats)

    # --------------------------------------------------------------- probe
    def probe(self, model: torch.nn.Module) -> Dict[str, float]:
        """Fit on the probe's training clips, score the held-out ones.

        Args:
            model (nn.Module): A model with ``data_preprocessor`` and
                ``backbone``.

        Returns:
            dict: ``top1`` and ``train_top1`` in percent, and ``ridge``.
        """
        modes = [(module, module.training) for module in model.modules()]
        model.eval()
        try:
            with isolated_rng():
                train_clips, train_y = self._load('train')
                val_clips, val_y = self._load('val')
                train_x = self._features(model, train_clips)
                val_x = self._features(model, val_clips)
        finally:
            for module, mode in modes:
                module.training = mode
        weight, bias, ridge = fit_ridge_probe(train_x, train_y,
                                              self.num_classes, self.ridges)

        def top1(x: torch.Tensor, y: torch.Tensor) -> float:
            pred = (x @ weight + bias).argmax(1)
            return (pred == y).double().mean().item() * 100

        return dict(top1=top1(val_x, val_y), train_top1=top1(train_x, train_y),
                    ridge=ridge)

    def _run(self, runner, epoch: int) -> None:
        if not is_main_process():
            return
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        result = self.probe(model)
        runner.logger.info(
            f"linear probe after epoch {epoch}: probe/top1 "
            f"{result['top1']:.2f} (train {result['train_top1']:.2f}, "
            f"{len(self._clips['train'][0])} train / "
            f"{len(self._clips['val'][0])} held-out clips, ridge "
            f"{result['ridge']:g} x N)")
        scalars = {'probe/top1': result['top1'],
                   'probe/train_top1': result['train_top1']}
        for key, value in scalars.items():
            runner.message_hub.update_scalar(key, value)
        runner.visualizer.add_scalars(scalars, step=epoch)

    def before_train(self, runner) -> None:
        if self.at_start and runner.epoch == 0:
            self._run(runner, 0)

    def after_train_epoch(self, runner) -> None:
        if self.every_n_epochs(runner, self.interval):
            self._run(runner, runner.epoch + 1)
