"""Classification accuracy over videos."""
from collections import OrderedDict
from typing import Dict, List, Optional, Sequence, Tuple

import torch
from mmengine.evaluator import BaseMetric

from vmae_mm.registry import METRICS


@METRICS.register_module()
class AccMetric(BaseMetric):
    """Top-k accuracy and mean class accuracy of video predictions.

    Each processed sample contributes its ``pred_score`` (class
    probabilities, averaged over views by the recognizer) and its hard
    ``gt_label``.

    Args:
        topk (Sequence[int]): The k of top-k accuracy. Defaults to (1, 5).
        collect_device (str): Where results are gathered across ranks.
            Defaults to ``'cpu'``.
        prefix (str, optional): Prefix of the metric names.
    """

    default_prefix: Optional[str] = 'acc'

    def __init__(self,
                 topk: Sequence[int] = (1, 5),
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.topk = tuple(topk)

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        for sample in data_samples:
            score = sample['pred_score'].detach().float().cpu()
            label = sample['gt_label'].detach().cpu().reshape(-1)
            self.results.append((score, int(label[0])))

    @staticmethod
    def accuracies(scores: torch.Tensor, labels: torch.Tensor,
                   topk: Tuple[int, ...]) -> Dict[str, float]:
        """Top-k and mean class accuracy in percent.

        Args:
            scores (Tensor): ``(N, num_classes)``.
            labels (Tensor): ``(N,)`` class indices.
        """
        out: Dict[str, float] = OrderedDict()
        ranked = scores.argsort(dim=1, descending=True)
        for k in topk:
            k_eff = min(k, scores.shape[1])
            hit = (ranked[:, :k_eff] == labels[:, None]).any(dim=1)
            out[f'top{k}'] = hit.float().mean().item() * 100
        top1 = ranked[:, 0] == labels
        per_class = [top1[labels == c].float().mean().item()
                     for c in labels.unique().tolist()]
        out['mean1'] = sum(per_class) / len(per_class) * 100
        return out

    def compute_metrics(self, results: List[Tuple[torch.Tensor, int]]
                        ) -> Dict[str, float]:
        scores = torch.stack([score for score, _ in results])
        labels = torch.tensor([label for _, label in results])
        return self.accuracies(scores, labels, self.topk)
