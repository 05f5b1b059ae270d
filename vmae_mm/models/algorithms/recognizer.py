"""The finetuning model: backbone, pooled features, classifier."""
from typing import Dict, List, Optional, Sequence, Set, Tuple, Union

import torch
from mmengine.model import BaseModel

from vmae_mm.registry import MODELS
from vmae_mm.structures import ActionDataSample
from ..data_preprocessors.video_preprocessor import build_data_preprocessor


@MODELS.register_module()
class Recognizer(BaseModel):
    """Video classifier as finetuned in VideoMAE.

    Inputs are ``(B, C, T, H, W)`` or, for multi-view testing (and for
    repeated sampling in training), ``(B, V, C, T, H, W)``: the V views are
    folded into the batch. Scores are class probabilities; with several views
    they are the mean of each view's softmax, as the original evaluates
    (averaging logits instead costs about 0.5 top-1 on K400).

    Args:
        backbone (dict): Encoder in classification mode, e.g.
            ``VisionTransformer3D(out_type='avg_featmap')``.
        cls_head (dict): Classifier, e.g. ``VideoMAEClsHead``.
        data_preprocessor (dict, optional): Defaults to
            ``VideoDataPreprocessor``.
        init_cfg (dict, optional): mmengine init config. Defaults to None.
    """

    def __init__(self,
                 backbone: dict,
                 cls_head: dict,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(
            data_preprocessor=build_data_preprocessor(data_preprocessor),
            init_cfg=init_cfg)
        self.backbone = MODELS.build(backbone)
        self.cls_head = MODELS.build(cls_head)
        if getattr(self.backbone, 'out_type', 'avg_featmap') != 'avg_featmap':
            raise ValueError("the Recognizer's backbone must pool: set "
                             "out_type='avg_featmap'")

    def extract_feat(self, inputs: torch.Tensor) -> Tuple[torch.Tensor, int]:
        """Pooled features of every view.

        Args:
            inputs (Tensor): ``(B, C, T, H, W)`` or ``(B, V, C, T, H, W)``.

        Returns:
            tuple[Tensor, int]: Features ``(B*V, D)`` (views of a clip
            adjacent) and the number of views V (1 for 5-D input).
        """
        if inputs.ndim == 6:
            B, V = inputs.shape[:2]
            inputs = inputs.flatten(0, 1)  # (B*V, C, T, H, W)
        elif inputs.ndim == 5:
            V = 1
        else:
            raise ValueError(f'inputs must be (B, C, T, H, W) or '
                             f'(B, V, C, T, H, W), got {tuple(inputs.shape)}')
        return self.backbone(inputs), V

    def logits(self, inputs: torch.Tensor) -> torch.Tensor:
        """Raw class logits of every view.

        Args:
            inputs (Tensor): ``(B, C, T, H, W)`` or ``(B, V, C, T, H, W)``.

        Returns:
            Tensor: ``(B, K)`` for 5-D input, ``(B, V, K)`` for 6-D input.
        """
        feats, V = self.extract_feat(inputs)
        logits = self.cls_head(feats)  # (B*V, K)
        if inputs.ndim == 5:
            return logits
        return logits.reshape(-1, V, logits.shape[-1])  # (B, V, K)

    def scores(self, inputs: torch.Tensor) -> torch.Tensor:
        """Class probabilities averaged over views.

        Args:
            inputs (Tensor): ``(B, C, T, H, W)`` or ``(B, V, C, T, H, W)``.

        Returns:
            Tensor: ``(B, K)``, rows summing to 1 (one view: its softmax).
        """
        logits = self.logits(inputs)
        if logits.ndim == 2:
            return logits.float().softmax(dim=-1)
        return logits.float().softmax(dim=-1).mean(dim=1)  # (B, K)

    @staticmethod
    def _targets(data_samples: Sequence[ActionDataSample],
                 num_views: int) -> torch.Tensor:
        """Labels ``(B*V,)`` or soft targets ``(B*V, K)``, one per view."""
        if not data_samples:
            raise ValueError("mode='loss' needs data_samples with gt_label")
        labels = [sample.gt_label for sample in data_samples]
        if labels[0].is_floating_point():
            targets = torch.stack(labels)  # (B, K) soft targets
        else:
            targets = torch.cat([label.reshape(-1) for label in labels])
            if targets.numel() != len(labels):
                raise ValueError('each hard gt_label must hold one class '
                                 'index')
        return targets.repeat_interleave(num_views, dim=0)

    def loss(self, inputs: torch.Tensor,
             data_samples: Sequence[ActionDataSample]
             ) -> Dict[str, torch.Tensor]:
        """Classification loss; every view of a clip gets the clip's label.

        Args:
            inputs (Tensor): ``(B, C, T, H, W)`` or ``(B, V, C, T, H, W)``.
            data_samples (list[ActionDataSample]): With ``gt_label``.

        Returns:
            dict: ``loss_cls``.
        """
        feats, num_views = self.extract_feat(inputs)
        targets = self._targets(data_samples, num_views).to(feats.device)
        return self.cls_head.loss(feats, targets)

    def predict(self, inputs: torch.Tensor,
                data_samples: Optional[Sequence[ActionDataSample]] = None
                ) -> List[ActionDataSample]:
        """Set ``pred_score`` (view-averaged probabilities, ``(K,)``) on
        every data sample (new ones when None)."""
        scores = self.scores(inputs)  # (B, K)
        if data_samples is None:
            data_samples = [ActionDataSample() for _ in range(len(scores))]
        for sample, score in zip(data_samples, scores):
            sample.set_pred_score(score)
        return list(data_samples)

    def forward(self,
                inputs: torch.Tensor,
                data_samples: Optional[Sequence[ActionDataSample]] = None,
                mode: str = 'tensor'
                ) -> Union[Dict[str, torch.Tensor], torch.Tensor,
                           List[ActionDataSample]]:
        """mmengine's entry point.

        Args:
            inputs (Tensor): ``(B, C, T, H, W)`` or ``(B, V, C, T, H, W)``.
            data_samples (list[ActionDataSample], optional): Labels for
                ``'loss'``; filled with predictions by ``'predict'``.
            mode (str): ``'tensor'`` returns class probabilities ``(B, K)``
                (softmax, averaged over views; use :meth:`logits` for raw
                logits), ``'loss'`` a dict with ``loss_cls``, ``'predict'``
                the data samples with ``pred_score``. Defaults to
                ``'tensor'``.
        """
        if mode == 'tensor':
            return self.scores(inputs)
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        raise RuntimeError(f"Recognizer supports modes 'tensor', 'loss' and "
                           f"'predict', got {mode!r}")

    def no_weight_decay(self) -> Set[str]:
        """Full names of parameters exempt from weight decay, as declared by
        the backbone and the head."""
        names = set()
        for prefix in ('backbone', 'cls_head'):
            module = getattr(self, prefix)
            if hasattr(module, 'no_weight_decay'):
                names |= {f'{prefix}.{n}' for n in module.no_weight_decay()}
        return names

    def get_num_layers(self) -> int:
        """Transformer depth; layer ids run from 0 to this + 1."""
        return self.backbone.num_layers

    def get_layer_id(self, param_name: str) -> int:
        """Layer index of a parameter for layer-wise lr decay: the
        backbone's rule for ``backbone.*``, the top id ``num_layers + 1``
        for the head and anything else.

        Args:
            param_name (str): Full parameter name, e.g.
                ``'backbone.blocks.3.attn.qkv.weight'``.

        Returns:
            int: In ``[0, num_layers + 1]``.
        """
        if param_name.startswith('backbone.'):
            return self.backbone.get_layer_id(param_name[len('backbone.'):])
        return self.backbone.num_layers + 1
