"""Shaping clips into model inputs."""
from typing import Dict, Sequence

import numpy as np
import torch
from mmcv.transforms import BaseTransform

from vmae_mm.registry import TRANSFORMS
from vmae_mm.structures import ActionDataSample


@TRANSFORMS.register_module()
class FormatShape(BaseTransform):
    """Lay frames out as views of ``(C, T, H, W)`` clips.

    Frames come as ``(V * T, H, W, C)`` where V = clips x crops; they leave as
    ``(V, C, T, H, W)`` (``'NCTHW'``).

    Required Keys: ``imgs``, ``clip_len``.
    Modified Keys: ``imgs``.
    Added Keys: ``input_shape``, ``num_views``.

    Args:
        input_format (str): Only ``'NCTHW'``. Defaults to ``'NCTHW'``.
    """

    def __init__(self, input_format: str = 'NCTHW') -> None:
        if input_format != 'NCTHW':
            raise ValueError(f"only 'NCTHW' is supported, got "
                             f'{input_format!r}')
        self.input_format = input_format

    def transform(self, results: Dict) -> Dict:
        imgs = results['imgs']
        clip_len = results['clip_len']
        if imgs.shape[0] % clip_len:
            raise ValueError(f'{imgs.shape[0]} frames do not split into clips '
                             f'of {clip_len}')
        views = imgs.shape[0] // clip_len
        imgs = imgs.reshape(views, clip_len, *imgs.shape[1:])  # (V,T,H,W,C)
        results['imgs'] = np.ascontiguousarray(imgs.transpose(0, 4, 1, 2, 3))
        results['input_shape'] = results['imgs'].shape  # (V, C, T, H, W)
        results['num_views'] = views
        return results

    def __repr__(self) -> str:
        return f"{type(self).__name__}(input_format='{self.input_format}')"


@TRANSFORMS.register_module()
class PackInputs(BaseTransform):
    """Pack a clip and its label for the model.

    Required Keys: ``imgs`` (``(V, C, T, H, W)`` uint8).
    Optional Keys: ``label`` and the ``meta_keys``.
    Added Keys: ``inputs`` (uint8 tensor ``(V, C, T, H, W)``),
    ``data_samples`` (:class:`ActionDataSample`).

    Args:
        meta_keys (Sequence[str]): Keys copied into the data sample's
            metainfo. Defaults to ``('filename', 'frame_dir', 'frame_inds',
            'img_shape', 'num_views')``.
    """

    def __init__(self,
                 meta_keys: Sequence[str] = ('filename', 'frame_dir',
                                             'frame_inds', 'img_shape',
                                             'num_views')
                 ) -> None:
        self.meta_keys = tuple(meta_keys)

    def transform(self, results: Dict) -> Dict:
        sample = ActionDataSample()
        if 'label' in results:
            sample.set_gt_label(results['label'])
        sample.set_metainfo(
            {k: results[k] for k in self.meta_keys if k in results})
        return dict(inputs=torch.from_numpy(results['imgs']),
                    data_samples=sample)

    def __repr__(self) -> str:
        return f'{type(self).__name__}(meta_keys={self.meta_keys})'
