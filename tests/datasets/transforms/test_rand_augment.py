"""RandAugment: each op against PIL (what timm applies to every frame), the
policy string, the draws, and the same ops on every frame of a clip."""
import random

import numpy as np
import pytest
from PIL import Image, ImageEnhance, ImageOps

from vmae_mm.datasets.transforms import rand_augment as ra
from vmae_mm.registry import TRANSFORMS

FILL = (128, 128, 128)


@pytest.fixture(scope='module')
def frames():
    """Three frames: two smooth textures and one of pure noise."""
    rng = np.random.default_rng(0)
    yy, xx = np.mgrid[0:37, 0:53]
    base = np.stack([xx * 4, yy * 6, (xx + yy) * 2], -1) % 256
    clip = np.clip(base[None] + rng.integers(-20, 20, (3, 37, 53, 3)), 20,
                   230).astype(np.uint8)
    clip[1] = rng.integers(0, 256, (37, 53, 3))
    return clip


def per_frame_pil(frames, fn):
    return np.stack([np.asarray(fn(Image.fromarray(f))) for f in frames])


PIXEL_CASES = [
    ('auto_contrast', (), ImageOps.autocontrast),
    ('equalize', (), ImageOps.equalize),
    ('invert', (), ImageOps.invert),
    ('posterize', (2,), lambda i: ImageOps.posterize(i, 2)),
    ('solarize', (100,), lambda i: ImageOps.solarize(i, 100)),
    ('color', (0.37,), lambda i: ImageEnhance.Color(i).enhance(0.37)),
    ('color', (1.63,), lambda i: ImageEnhance.Color(i).enhance(1.63)),
    ('contrast', (0.1,), lambda i: ImageEnhance.Contrast(i).enhance(0.1)),
    ('contrast', (1.9,), lambda i: ImageEnhance.Contrast(i).enhance(1.9)),
    ('brightness', (1.7,), lambda i: ImageEnhance.Brightness(i).enhance(1.7)),
    ('sharpness', (0.2,), lambda i: ImageEnhance.Sharpness(i).enhance(0.2)),
    ('sharpness', (1.9,), lambda i: ImageEnhance.Sharpness(i).enhance(1.9)),
]


@pytest.mark.parametrize('name,args,reference', PIXEL_CASES,
                         ids=[f'{c[0]}{c[1]}' for c in PIXEL_CASES])
def test_pixel_ops_equal_pil(frames, name, args, reference):
    ours = getattr(ra, name)(frames, *args)
    assert ours.dtype == np.uint8 and ours.shape == frames.shape
    np.testing.assert_array_equal(ours, per_frame_pil(frames, reference))


def test_solarize_add_and_posterize_zero_bits(frames):
    ours = ra.solarize_add(frames, 77)
    ramp = frames.astype(int)
    np.testing.assert_array_equal(
        ours, np.where(ramp < 128, np.minimum(ramp + 77, 255), ramp))
    assert not ra.posterize(frames, 0).any()  # old PIL: keep no bits


def pil_affine(coeffs):
    return lambda img, **kw: img.transform(img.size, Image.AFFINE, coeffs,
                                           **kw)


GEOMETRIC_CASES = [
    ('rotate', 17.3, lambda f: lambda i, **kw: i.rotate(17.3, **kw)),
    ('rotate', -11.0, lambda f: lambda i, **kw: i.rotate(-11.0, **kw)),
    ('shear_x', 0.21, lambda f: pil_affine((1, 0.21, 0, 0, 1, 0))),
    ('shear_y', -0.3, lambda f: pil_affine((1, 0, 0, -0.3, 1, 0))),
    ('translate_x_rel', 0.315,
     lambda f: pil_affine((1, 0, 0.315 * f.shape[2], 0, 1, 0))),
    ('translate_y_rel', -0.2,
     lambda f: pil_affine((1, 0, 0, 0, 1, -0.2 * f.shape[1]))),
]


@pytest.mark.parametrize('name,arg,make_ref', GEOMETRIC_CASES,
                         ids=[f'{c[0]}{c[1]}' for c in GEOMETRIC_CASES])
@pytest.mark.parametrize('interpolation,resample,max_diff',
                         [('nearest', Image.NEAREST, 0),
                          ('bilinear', Image.BILINEAR, 1)])
def test_geometric_ops_follow_pil_conventions(frames, name, arg, make_ref,
                                             interpolation, resample,
                                             max_diff):
    ours = getattr(ra, name)(frames, arg, FILL, interpolation)
    ref_fn = make_ref(frames)
    ref = per_frame_pil(
        frames, lambda i: ref_fn(i, resample=resample, fillcolor=FILL))
    diff = np.abs(ours.astype(int) - ref.astype(int))
    assert diff.max() <= max_diff


def test_bicubic_differs_from_pil_only_by_the_kernel(frames):
    ours = ra.rotate(frames, 17.3, FILL, 'bicubic')
    ref = per_frame_pil(
        frames, lambda i: i.rotate(17.3, resample=Image.BICUBIC,
                                   fillcolor=FILL))
    diff = np.abs(ours.astype(int) - ref.astype(int))
    assert diff[[0, 2]].mean() < 1.0  # smooth frames
    assert diff.mean() < 2.0


def test_policy_string():
    assert ra.parse_rand_config('rand-m7-n4-mstd0.5-inc1') == dict(
        magnitude=7.0, num_layers=4, magnitude_std=0.5, increasing=True)
    assert ra.parse_rand_config('rand-m9') == dict(
        magnitude=9.0, num_layers=2, magnitude_std=0.0, increasing=False)
    with pytest.raises(ValueError, match="unknown RandAugment setting 'w0'"):
        ra.parse_rand_config('rand-m9-w0')
    with pytest.raises(ValueError, match="start with 'rand'"):
        ra.parse_rand_config('augmix-m5')


def draws(transform, count, seed=0):
    random.seed(seed)
    np.random.seed(seed)
    return [transform._draw() for _ in range(count)]


def test_draws_follow_videomae_policy():
    transform = TRANSFORMS.build(dict(type='RandAugment'))
    assert transform.op_names == ra.INCREASING_OPS
    clips = draws(transform, 3000)
    counts = [len(ops) for ops in clips]
    assert max(counts) <= 4
    assert 1.8 < np.mean(counts) < 2.2  # 4 draws, each kept with p=0.5
    by_name = {}
    for ops in clips:
        for name, arg in ops:
            by_name.setdefault(name, []).append(arg)
    assert set(by_name) == set(ra.INCREASING_OPS)
    rotations = np.abs(by_name['Rotate'])
    assert rotations.max() <= 30 and abs(rotations.mean() - 21) < 0.5
    assert 0.35 < np.mean(np.array(by_name['Rotate']) < 0) < 0.65
    shifts = np.abs(by_name['TranslateXRel'])
    assert abs(shifts.mean() - 0.7 * 0.45) < 0.01
    assert set(by_name['PosterizeIncreasing']) <= {1, 2, 3}
    enhance = np.array(by_name['ColorIncreasing'])
    assert np.all((enhance > 0.1) & (enhance < 1.9))
    assert by_name['AutoContrast'][0] is None


def test_draws_are_deterministic_under_a_seed():
    transform = TRANSFORMS.build(dict(type='RandAugment'))
    assert draws(transform, 50, seed=4) == draws(transform, 50, seed=4)
    assert draws(transform, 50, seed=4) != draws(transform, 50, seed=5)


def test_every_frame_gets_the_same_ops(frames):
    transform = TRANSFORMS.build(dict(type='RandAugment', prob=1.0))
    random.seed(2)
    np.random.seed(2)
    clip = np.concatenate([frames, frames[:1]])  # frame 3 repeats frame 0
    for _ in range(20):
        out = transform(dict(imgs=clip))
        ops = out['rand_augment']
        assert len(ops) == 4
        assert out['imgs'].shape == clip.shape
        assert out['imgs'].dtype == np.uint8
        np.testing.assert_array_equal(out['imgs'][0], out['imgs'][3])
        # each frame is what the same ops give that frame alone
        for i in range(len(clip)):
            alone = transform.apply(clip[i:i + 1], ops)
            np.testing.assert_array_equal(out['imgs'][i], alone[0])


def test_unknown_interpolation_is_refused():
    with pytest.raises(ValueError, match='interpolation'):
        TRANSFORMS.build(dict(type='RandAugment', interpolation='area'))
