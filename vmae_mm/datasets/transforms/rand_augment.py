"""Video-consistent RandAugment on uint8 frames (OpenCV / numpy).

The operations, magnitude mappings and sampling are those of timm's
RandAugment as VideoMAE finetunes with it (``rand-m7-n4-mstd0.5-inc1``): per
clip, ``n`` operations are drawn with replacement from 15; each is applied
with probability 0.5 at a magnitude drawn from ``N(m, mstd)`` clipped to
``[0, 10]``, with a random sign where the operation has one. Everything
random is drawn once per clip, so every frame gets the same operations with
the same arguments. The data-dependent operations (AutoContrast, Equalize,
Contrast) take their statistics from each frame, as the original applies
PIL's per-image operations frame by frame.

The pixel operations reproduce PIL's integer arithmetic (lookup tables,
luma weights, truncating blends). Geometric operations use PIL's pixel
conventions (sampling positions, rotation centre, edge handling, grey fill
128) through ``cv2.warpAffine``; OpenCV's interpolation weights are fixed
point and its cubic kernel (a = -0.75) differs slightly from PIL's
(a = -0.5), so interpolated values may differ by a few levels.
"""
import random
import re
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import cv2
import numpy as np
from mmcv.transforms import BaseTransform

from vmae_mm.registry import TRANSFORMS
from .resize import INTERPOLATIONS

MAX_LEVEL = 10.0
#: The ops of ``rand-...-inc1`` (timm's ``_RAND_INCREASING_TRANSFORMS``).
INCREASING_OPS = (
    'AutoContrast', 'Equalize', 'Invert', 'Rotate', 'PosterizeIncreasing',
    'SolarizeIncreasing', 'SolarizeAdd', 'ColorIncreasing',
    'ContrastIncreasing', 'BrightnessIncreasing', 'SharpnessIncreasing',
    'ShearX', 'ShearY', 'TranslateXRel', 'TranslateYRel')
#: The ops of ``rand-...`` without ``inc1`` (timm's ``_RAND_TRANSFORMS``).
DEFAULT_OPS = (
    'AutoContrast', 'Equalize', 'Invert', 'Rotate', 'Posterize', 'Solarize',
    'SolarizeAdd', 'Color', 'Contrast', 'Brightness', 'Sharpness', 'ShearX',
    'ShearY', 'TranslateXRel', 'TranslateYRel')


# ---------------------------------------------------------------- pixel ops
def _apply_lut(frames: np.ndarray, lut: np.ndarray) -> np.ndarray:
    """One 256-entry table for every channel of ``(N, H, W, C)`` frames."""
    n, h, w, c = frames.shape
    flat = np.ascontiguousarray(frames).reshape(n * h, w, c)
    return cv2.LUT(flat, lut.astype(np.uint8)).reshape(n, h, w, c)


def _histograms(frames: np.ndarray) -> np.ndarray:
    """Per-frame, per-channel histograms ``(N, C, 256)``."""
    hists = [[
        cv2.calcHist([np.ascontiguousarray(frame)], [ch], None, [256],
                     [0, 256]).reshape(-1) for ch in range(frame.shape[2])
    ] for frame in frames]
    return np.array(hists, dtype=np.int64)


def _apply_frame_luts(frames: np.ndarray, luts: np.ndarray) -> np.ndarray:
    """Per-frame, per-channel tables ``luts (N, C, 256)``."""
    out = np.empty_like(frames)
    for i, frame in enumerate(frames):
        table = np.ascontiguousarray(luts[i].T[:, None, :])  # (256, 1, C)
        out[i] = cv2.LUT(np.ascontiguousarray(frame),
                         np.clip(table, 0, 255).astype(np.uint8))
    return out


def auto_contrast(frames: np.ndarray) -> np.ndarray:
    """Stretch each channel of each frame to 0-255 (PIL ``autocontrast``)."""
    hist = _histograms(frames)
    present = hist > 0
    lo = present.argmax(axis=2)  # (N, C)
    hi = 255 - present[..., ::-1].argmax(axis=2)
    ramp = np.arange(256, dtype=np.float64)
    span = np.maximum(hi - lo, 1)[..., None]
    scale = 255.0 / span
    luts = np.trunc(ramp * scale - lo[..., None] * scale)
    luts = np.where((hi > lo)[..., None], np.clip(luts, 0, 255), ramp)
    return _apply_frame_luts(frames, luts)


def equalize(frames: np.ndarray) -> np.ndarray:
    """Histogram-equalize each channel of each frame (PIL ``equalize``)."""
    hist = _histograms(frames)  # (N, C, 256)
    ramp = np.arange(256)
    luts = np.empty(hist.shape, dtype=np.int64)
    for i in range(hist.shape[0]):
        for ch in range(hist.shape[1]):
            h = hist[i, ch]
            nonzero = h[h > 0]
            step = ((nonzero.sum() - nonzero[-1]) // 255
                    if len(nonzero) > 1 else 0)
            if step == 0:
                luts[i, ch] = ramp
                continue
            before = np.concatenate(([0], np.cumsum(h)[:-1]))
            luts[i, ch] = (step // 2 + before) // step
    return _apply_frame_luts(frames, luts)


def invert(frames: np.ndarray) -> np.ndarray:
    return 255 - frames


def posterize(frames: np.ndarray, bits: int) -> np.ndarray:
    """Keep the ``bits`` most significant bits."""
    if bits >= 8:
        return frames
    mask = ~(2**(8 - bits) - 1) & 0xFF
    return frames & np.uint8(mask)


def solarize(frames: np.ndarray, threshold: int) -> np.ndarray:
    """Invert values at or above ``threshold``."""
    ramp = np.arange(256)
    return _apply_lut(frames, np.where(ramp < threshold, ramp, 255 - ramp))


def solarize_add(frames: np.ndarray, add: int,
                 threshold: int = 128) -> np.ndarray:
    """Add ``add`` to values below ``threshold`` (saturating)."""
    ramp = np.arange(256)
    return _apply_lut(
        frames, np.where(ramp < threshold, np.minimum(ramp + add, 255), ramp))


def _luma(frames: np.ndarray) -> np.ndarray:
    """PIL's ``convert('L')``: ITU-R 601-2 luma, rounded, ``(N, H, W)``."""
    rgb = frames.astype(np.int32)
    return (rgb[..., 0] * 19595 + rgb[..., 1] * 38470 + rgb[..., 2] * 7471 +
            0x8000) >> 16


def _blend(degenerate: np.ndarray, frames: np.ndarray,
           factor: float) -> np.ndarray:
    """PIL ``Image.blend(degenerate, frames, factor)``: truncated, clipped.

    ``degenerate`` broadcasts against ``frames`` ``(N, H, W, C)``.
    """
    base = np.asarray(degenerate, dtype=np.float32)
    out = frames.astype(np.float32)
    out -= base
    out *= np.float32(factor)
    out += base
    np.clip(out, 0, 255, out=out)
    return out.astype(np.uint8)


def color(frames: np.ndarray, factor: float) -> np.ndarray:
    """Saturation: blend with the grey image."""
    return _blend(_luma(frames)[..., None], frames, factor)


def _blend_table(base: float, factor: float) -> np.ndarray:
    """:func:`_blend` with a constant ``base`` as a 256-entry table."""
    return _blend(np.float32(base), np.arange(256, dtype=np.uint8), factor)


def contrast(frames: np.ndarray, factor: float) -> np.ndarray:
    """Blend with each frame's mean grey level."""
    means = _luma(frames).reshape(len(frames), -1).mean(axis=1)
    tables = [_blend_table(np.floor(m + 0.5), factor) for m in means]
    return np.stack([
        _apply_lut(frame[None], table)[0]
        for frame, table in zip(frames, tables)
    ])


def brightness(frames: np.ndarray, factor: float) -> np.ndarray:
    """Blend with black."""
    return _apply_lut(frames, _blend_table(0.0, factor))


_SMOOTH = np.array([[1, 1, 1], [1, 5, 1], [1, 1, 1]], np.float32) / 13


def sharpness(frames: np.ndarray, factor: float) -> np.ndarray:
    """Blend with PIL's ``SMOOTH``-filtered frames (border pixels kept)."""
    n, h, w, c = frames.shape
    # One filter over the frames stacked vertically: rows that mix two
    # frames are border rows, which are restored below. A sum / 13 is never
    # halfway between integers, so OpenCV's rounding is PIL's.
    stacked = np.ascontiguousarray(frames).reshape(n * h, w, c)
    smooth = cv2.filter2D(stacked, -1, _SMOOTH).reshape(n, h, w, c)
    smooth[:, [0, -1]] = frames[:, [0, -1]]
    smooth[:, :, [0, -1]] = frames[:, :, [0, -1]]
    return _blend(smooth, frames, factor)


# ------------------------------------------------------------ geometric ops
def _warp(frames: np.ndarray, matrix: np.ndarray, fill: Tuple[int, ...],
          interpolation: str) -> np.ndarray:
    """Sample every frame at ``matrix @ (x, y, 1)`` (output -> input pixel
    index coordinates).

    As PIL: an output pixel whose source point lies outside the frame gets
    ``fill``; one inside is interpolated with the edge pixels repeated, so
    the border is not blended with the fill colour.
    """
    height, width = frames.shape[1:3]
    ys, xs = np.mgrid[0:height, 0:width]
    src_x = matrix[0, 0] * xs + matrix[0, 1] * ys + matrix[0, 2]
    src_y = matrix[1, 0] * xs + matrix[1, 1] * ys + matrix[1, 2]
    outside = ((src_x < -0.5) | (src_x >= width - 0.5) | (src_y < -0.5) |
               (src_y >= height - 0.5))  # (H, W)
    flags = INTERPOLATIONS[interpolation] | cv2.WARP_INVERSE_MAP
    out = np.stack([
        cv2.warpAffine(np.ascontiguousarray(f), matrix, (width, height),
                       flags=flags, borderMode=cv2.BORDER_REPLICATE)
        for f in frames
    ])
    out[:, outside] = fill
    return out


def _pil_affine(coeffs: Sequence[float]) -> np.ndarray:
    """PIL's ``AFFINE`` data ``(a, b, c, d, e, f)`` maps output to input at
    pixel corners + 0.5; in pixel-index coordinates that is this matrix."""
    a, b, c, d, e, f = coeffs
    return np.array([[a, b, c + (a + b - 1) * 0.5],
                     [d, e, f + (d + e - 1) * 0.5]], dtype=np.float64)


def rotate(frames: np.ndarray, degrees: float, fill: Tuple[int, ...],
           interpolation: str) -> np.ndarray:
    """Rotate counter-clockwise about the frame centre (PIL ``rotate``)."""
    height, width = frames.shape[1:3]
    center = ((width - 1) / 2, (height - 1) / 2)
    forward = cv2.getRotationMatrix2D(center, degrees, 1.0)
    inverse = cv2.invertAffineTransform(forward)
    return _warp(frames, inverse, fill, interpolation)


def shear_x(frames: np.ndarray, factor: float, fill: Tuple[int, ...],
            interpolation: str) -> np.ndarray:
    return _warp(frames, _pil_affine((1, factor, 0, 0, 1, 0)), fill,
                 interpolation)


def shear_y(frames: np.ndarray, factor: float, fill: Tuple[int, ...],
            interpolation: str) -> np.ndarray:
    return _warp(frames, _pil_affine((1, 0, 0, factor, 1, 0)), fill,
                 interpolation)


def translate_x_rel(frames: np.ndarray, fraction: float,
                    fill: Tuple[int, ...], interpolation: str) -> np.ndarray:
    """Shift left by ``fraction`` of the width (right when negative)."""
    pixels = fraction * frames.shape[2]
    return _warp(frames, _pil_affine((1, 0, pixels, 0, 1, 0)), fill,
                 interpolation)


def translate_y_rel(frames: np.ndarray, fraction: float,
                    fill: Tuple[int, ...], interpolation: str) -> np.ndarray:
    """Shift up by ``fraction`` of the height (down when negative)."""
    pixels = fraction * frames.shape[1]
    return _warp(frames, _pil_affine((1, 0, 0, 0, 1, pixels)), fill,
                 interpolation)


# ------------------------------------------------- magnitude -> arguments
def _signed(value: float) -> float:
    """``value`` with a random sign (timm's ``_randomly_negate``)."""
    return -value if random.random() > 0.5 else value


_LEVEL_TO_ARG: Dict[str, Optional[Callable[[float], float]]] = {
    'AutoContrast': None,
    'Equalize': None,
    'Invert': None,
    'Rotate': lambda m: _signed(m / MAX_LEVEL * 30.0),
    'Posterize': lambda m: int(m / MAX_LEVEL * 4),
    'PosterizeIncreasing': lambda m: 4 - int(m / MAX_LEVEL * 4),
    'Solarize': lambda m: int(m / MAX_LEVEL * 256),
    'SolarizeIncreasing': lambda m: 256 - int(m / MAX_LEVEL * 256),
    'SolarizeAdd': lambda m: int(m / MAX_LEVEL * 110),
    'Color': lambda m: m / MAX_LEVEL * 1.8 + 0.1,
    'ColorIncreasing': lambda m: 1.0 + _signed(m / MAX_LEVEL * 0.9),
    'Contrast': lambda m: m / MAX_LEVEL * 1.8 + 0.1,
    'ContrastIncreasing': lambda m: 1.0 + _signed(m / MAX_LEVEL * 0.9),
    'Brightness': lambda m: m / MAX_LEVEL * 1.8 + 0.1,
    'BrightnessIncreasing': lambda m: 1.0 + _signed(m / MAX_LEVEL * 0.9),
    'Sharpness': lambda m: m / MAX_LEVEL * 1.8 + 0.1,
    'SharpnessIncreasing': lambda m: 1.0 + _signed(m / MAX_LEVEL * 0.9),
    'ShearX': lambda m: _signed(m / MAX_LEVEL * 0.3),
    'ShearY': lambda m: _signed(m / MAX_LEVEL * 0.3),
    'TranslateXRel': lambda m: _signed(m / MAX_LEVEL * 0.45),
    'TranslateYRel': lambda m: _signed(m / MAX_LEVEL * 0.45),
}
_PIXEL_OPS = {
    'AutoContrast': auto_contrast, 'Equalize': equalize, 'Invert': invert,
    'Posterize': posterize, 'PosterizeIncreasing': posterize,
    'Solarize': solarize, 'SolarizeIncreasing': solarize,
    'SolarizeAdd': solarize_add, 'Color': color, 'ColorIncreasing': color,
    'Contrast': contrast, 'ContrastIncreasing': contrast,
    'Brightness': brightness, 'BrightnessIncreasing': brightness,
    'Sharpness': sharpness, 'SharpnessIncreasing': sharpness,
}
_GEOMETRIC_OPS = {
    'Rotate': rotate, 'ShearX': shear_x, 'ShearY': shear_y,
    'TranslateXRel': translate_x_rel, 'TranslateYRel': translate_y_rel,
}


def parse_rand_config(config_str: str) -> Dict:
    """Parse timm's ``'rand-m7-n4-mstd0.5-inc1'``.

    Returns:
        dict: ``magnitude`` (default 10), ``num_layers`` (2),
        ``magnitude_std`` (0) and ``increasing`` (False).
    """
    parts = config_str.split('-')
    if parts[0] != 'rand':
        raise ValueError(f"RandAugment config must start with 'rand', got "
                         f'{config_str!r}')
    params = dict(magnitude=MAX_LEVEL, num_layers=2, magnitude_std=0.0,
                  increasing=False)
    for part in parts[1:]:
        match = re.fullmatch(r'([a-z]+)(\d+(?:\.\d+)?)', part)
        key = match.group(1) if match else None
        if key not in ('m', 'n', 'mstd', 'inc'):
            raise ValueError(f'unknown RandAugment setting {part!r} in '
                             f"{config_str!r}; use 'm', 'n', 'mstd', 'inc'")
        value = match.group(2)
        if key == 'm':
            params['magnitude'] = float(value)
        elif key == 'n':
            params['num_layers'] = int(value)
        elif key == 'mstd':
            params['magnitude_std'] = float(value)
        else:
            params['increasing'] = bool(int(float(value)))
    return params


@TRANSFORMS.register_module()
class RandAugment(BaseTransform):
    """RandAugment applied identically to every frame of a clip.

    ``num_layers`` operations are drawn with replacement from the 15 of
    timm's set (the "increasing" variants with ``inc1``); each is applied
    with probability ``prob`` at a magnitude drawn from
    ``N(magnitude, magnitude_std)`` clipped to ``[0, 10]``. The choices are
    made once per clip. Translations move by up to 45% of the side at
    magnitude 10; rotations by up to 30 degrees, shears up to 0.3.

    Required Keys: ``imgs`` (uint8 ``(N, H, W, C)``).
    Modified Keys: ``imgs``.
    Added Keys: ``rand_augment`` (the applied ``(name, argument)`` pairs).

    Args:
        config_str (str): timm's policy string. Defaults to
            ``'rand-m7-n4-mstd0.5-inc1'`` (VideoMAE finetuning).
        prob (float): Probability of applying each drawn operation.
            Defaults to 0.5.
        fill (Sequence[int]): Colour of pixels moved in by geometric
            operations. Defaults to ``(128, 128, 128)``.
        interpolation (str): For geometric operations: ``'bicubic'``
            (VideoMAE's ``--train_interpolation``), ``'bilinear'`` or
            ``'nearest'``. Defaults to ``'bicubic'``.
    """

    def __init__(self,
                 config_str: str = 'rand-m7-n4-mstd0.5-inc1',
                 prob: float = 0.5,
                 fill: Sequence[int] = (128, 128, 128),
                 interpolation: str = 'bicubic') -> None:
        if interpolation not in ('bicubic', 'bilinear', 'nearest'):
            raise ValueError("interpolation must be 'bicubic', 'bilinear' or "
                             f"'nearest', got {interpolation!r}")
        params = parse_rand_config(config_str)
        self.config_str = config_str
        self.magnitude = params['magnitude']
        self.num_layers = params['num_layers']
        self.magnitude_std = params['magnitude_std']
        self.op_names = (INCREASING_OPS
                         if params['increasing'] else DEFAULT_OPS)
        self.prob = prob
        self.fill = tuple(int(v) for v in fill)
        self.interpolation = interpolation

    def _draw(self) -> List[Tuple[str, Optional[float]]]:
        """The clip's operations and arguments, in timm's draw order."""
        chosen = np.random.choice(len(self.op_names), self.num_layers)
        drawn = []
        for index in chosen:
            name = self.op_names[index]
            if self.prob < 1.0 and random.random() > self.prob:
                continue
            magnitude = self.magnitude
            if self.magnitude_std > 0:
                magnitude = random.gauss(magnitude, self.magnitude_std)
            magnitude = min(MAX_LEVEL, max(0.0, magnitude))
            level_fn = _LEVEL_TO_ARG[name]
            drawn.append((name, level_fn(magnitude) if level_fn else None))
        return drawn

    def apply(self, frames: np.ndarray,
              ops: Sequence[Tuple[str, Optional[float]]]) -> np.ndarray:
        """Apply ``ops`` (``(name, argument)`` pairs) to uint8 frames
        ``(N, H, W, C)``; returns new frames of the same shape."""
        channels = frames.shape[3]
        fill = (self.fill * channels)[:channels]
        for name, arg in ops:
            if name in _GEOMETRIC_OPS:
                frames = _GEOMETRIC_OPS[name](frames, arg, fill,
                                              self.interpolation)
            elif arg is None:
                frames = _PIXEL_OPS[name](frames)
            else:
                frames = _PIXEL_OPS[name](frames, arg)
        return frames

    def transform(self, results: Dict) -> Dict:
        ops = self._draw()
        results['imgs'] = self.apply(results['imgs'], ops)
        results['rand_augment'] = ops
        return results

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(config_str={self.config_str!r}, '
                f'prob={self.prob}, interpolation={self.interpolation!r})')
