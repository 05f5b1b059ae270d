"""Per-video annotations and predictions."""
from typing import Union

import numpy as np
import torch
from mmengine.structures import BaseDataElement


class ActionDataSample(BaseDataElement):
    """Holds one video's ``gt_label`` (class index, or soft target after
    mixup) and, after prediction, its ``pred_score`` (class probabilities).
    """

    def set_gt_label(
            self, value: Union[int, np.integer, torch.Tensor]
    ) -> 'ActionDataSample':
        """Set the label: an int class index or a float soft-target vector."""
        if isinstance(value, (int, np.integer)):
            value = torch.tensor([int(value)], dtype=torch.long)
        elif not isinstance(value, torch.Tensor):
            raise TypeError(f'gt_label must be an int or a Tensor, got '
                            f'{type(value).__name__}')
        self.set_field(value, 'gt_label', dtype=torch.Tensor)
        return self

    def set_pred_score(self, value: torch.Tensor) -> 'ActionDataSample':
        """Set the predicted class probabilities ``(num_classes,)``."""
        self.set_field(value, 'pred_score', dtype=torch.Tensor)
        return self
