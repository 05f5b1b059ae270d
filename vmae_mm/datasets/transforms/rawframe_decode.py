"""Decoding frames extracted to JPEG files (mmaction2's "rawframes")."""
import os.path as osp
from typing import Dict

import cv2
import numpy as np

from vmae_mm.registry import TRANSFORMS
from .loading import BaseDecode, VideoDecodeError


@TRANSFORMS.register_module()
class RawFrameDecode(BaseDecode):
    """Read the chosen frames of a folder of images with ``cv2.imdecode``.

    Frame ``i`` (0-based, as the samplers count) is the file
    ``filename_tmpl.format(i + start_index)`` in ``frame_dir``. Each distinct
    frame is read once, however often it is sampled.

    Required Keys: ``frame_dir``, ``frame_inds``, ``filename_tmpl``,
    ``start_index``.
    Added Keys: ``imgs`` (uint8 ``(N, H, W, 3)`` RGB), ``img_shape``,
    ``original_shape``.

    Raises:
        FileNotFoundError: ``frame_dir`` does not exist (fix the list or
            ``data_prefix``).
        VideoDecodeError: A frame file is missing, cannot be decoded, or
            differs in size from the others; datasets skip such samples.
    """

    def transform(self, results: Dict) -> Dict:
        frame_dir = results['frame_dir']
        if not osp.isdir(frame_dir):
            raise FileNotFoundError(
                f'frame folder not found: {frame_dir} (check the annotation '
                'list and data_prefix)')
        tmpl, start = results['filename_tmpl'], results['start_index']
        unique, inverse = np.unique(results['frame_inds'], return_inverse=True)
        frames = []
        for index in unique.tolist():
            path = osp.join(frame_dir, tmpl.format(index + start))
            try:
                data = np.fromfile(path, dtype=np.uint8)
            except OSError as err:
                raise VideoDecodeError(
                    frame_dir, f'cannot read frame {path}: {err.strerror}'
                ) from None
            image = cv2.imdecode(data, cv2.IMREAD_COLOR)
            if image is None:
                raise VideoDecodeError(frame_dir,
                                       f'cannot decode frame {path}')
            if frames and image.shape != frames[0].shape:
                raise VideoDecodeError(
                    frame_dir, f'frame {path} is {image.shape[1]}x'
                    f'{image.shape[0]}, the first is {frames[0].shape[1]}x'
                    f'{frames[0].shape[0]}')
            frames.append(cv2.cvtColor(image, cv2.COLOR_BGR2RGB))
        imgs = np.stack(frames)[inverse]  # (N, H, W, 3), sampled order
        results['imgs'] = imgs
        results['original_shape'] = imgs.shape[1:3]
        results['img_shape'] = imgs.shape[1:3]
        return results
