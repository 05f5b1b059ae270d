"""MixupCutmix: timm 'batch' mode semantics, soft targets in gt_label, the
same CutMix box on every frame, only in training."""
import numpy as np
import pytest
import torch

from vmae_mm.models.data_preprocessors.blending import (MixupCutmix,
                                                        smoothed_one_hot)
from vmae_mm.registry import MODELS
from vmae_mm.structures import ActionDataSample

K = 5


def batch(labels, t=4, size=16, seed=0):
    torch.manual_seed(seed)
    inputs = torch.randn(len(labels), 3, t, size, size)
    samples = [ActionDataSample().set_gt_label(int(y)) for y in labels]
    return inputs, samples


def soft(samples):
    return torch.stack([s.gt_label for s in samples])


def test_smoothed_one_hot():
    target = smoothed_one_hot(torch.tensor([2, 0]), K, 0.1)
    assert torch.allclose(target.sum(1), torch.ones(2))
    assert target[0, 2] == pytest.approx(0.9 + 0.02)
    assert target[0, 0] == pytest.approx(0.02)


def test_no_mixing_gives_smoothed_labels():
    inputs, samples = batch([1, 3])
    out, samples = MixupCutmix(K, prob=0.0)(inputs.clone(), samples)
    assert torch.equal(out, inputs)
    expected = smoothed_one_hot(torch.tensor([1, 3]), K, 0.1)
    assert torch.allclose(soft(samples), expected)


def test_mixup_blends_with_the_reversed_batch():
    np.random.seed(0)
    inputs, samples = batch([0, 1, 2, 3])
    out, samples = MixupCutmix(K, cutmix_alpha=0.0,
                               label_smoothing=0.0)(inputs.clone(), samples)
    targets = soft(samples)
    lam = targets[0, 0].item()  # sample 0 (class 0) mixed with 3 (class 3)
    assert 0 < lam < 1
    assert targets[0, 3].item() == pytest.approx(1 - lam)
    assert torch.allclose(out, lam * inputs + (1 - lam) * inputs.flip(0),
                          atol=1e-6)
    assert torch.allclose(targets.sum(1), torch.ones(4))


def test_cutmix_pastes_one_box_on_every_frame():
    np.random.seed(0)
    inputs, samples = batch([0, 1, 2, 4], t=6, size=32)
    out, samples = MixupCutmix(K, mixup_alpha=0.0,
                               label_smoothing=0.0)(inputs.clone(), samples)
    pasted = (out[0] != inputs[0])  # (C, T, H, W)
    assert pasted.any()
    box = pasted[0, 0]
    assert torch.equal(pasted, box.expand_as(pasted))  # same on all frames
    ys, xs = box.nonzero(as_tuple=True)
    y1, y2, x1, x2 = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
    assert box.sum() == (y2 - y1) * (x2 - x1)  # a rectangle
    assert torch.equal(out[0][..., y1:y2, x1:x2],
                       inputs[3][..., y1:y2, x1:x2])
    lam = 1 - (box.sum().item() / 32**2)
    targets = soft(samples)
    assert targets[0, 0].item() == pytest.approx(lam)
    assert targets[0, 4].item() == pytest.approx(1 - lam)


def test_switches_between_mixup_and_cutmix_per_batch():
    blend = MixupCutmix(K)
    np.random.seed(2)
    kinds = []
    for _ in range(200):
        inputs, samples = batch([0, 1], size=8)
        out, _ = blend(inputs.clone(), samples)
        kept = (out[0] == inputs[0]).float().mean().item()
        kinds.append('cutmix' if kept > 0 else 'mixup')
    assert 0.4 < kinds.count('cutmix') / 200 < 0.6


def test_deterministic_under_a_seed():
    blend = MixupCutmix(K)
    results = []
    for _ in range(2):
        np.random.seed(7)
        inputs, samples = batch([0, 1, 2, 3])
        out, samples = blend(inputs.clone(), samples)
        results.append((out, soft(samples)))
    assert torch.equal(results[0][0], results[1][0])
    assert torch.equal(results[0][1], results[1][1])


def test_soft_labels_are_refused():
    inputs, samples = batch([0, 1])
    MixupCutmix(K)(inputs, samples)
    with pytest.raises(ValueError, match='already soft'):
        MixupCutmix(K)(inputs, samples)


def test_preprocessor_blends_only_in_training():
    preprocessor = MODELS.build(dict(
        type='VideoDataPreprocessor',
        blending=dict(type='MixupCutmix', num_classes=K)))
    clips = [torch.randint(0, 256, (1, 3, 4, 8, 8), dtype=torch.uint8)
             for _ in range(4)]

    def samples():
        return [ActionDataSample().set_gt_label(i) for i in range(4)]

    data = preprocessor(dict(inputs=clips, data_samples=samples()),
                        training=False)
    assert all(s.gt_label.dtype == torch.long for s in data['data_samples'])
    data = preprocessor(dict(inputs=clips, data_samples=samples()),
                        training=True)
    assert data['inputs'].shape == (4, 3, 4, 8, 8)
    targets = soft(data['data_samples'])
    assert targets.shape == (4, K) and targets.dtype == torch.float32


def test_recognizer_trains_on_the_soft_targets():
    model = MODELS.build(dict(
        type='Recognizer',
        data_preprocessor=dict(
            type='VideoDataPreprocessor',
            blending=dict(type='MixupCutmix', num_classes=K)),
        backbone=dict(type='VisionTransformer3D',
                      arch=dict(embed_dims=32, num_layers=1, num_heads=2,
                                mlp_dims=64),
                      img_size=16, num_frames=4, out_type='avg_featmap'),
        cls_head=dict(type='VideoMAEClsHead', num_classes=K,
                      in_channels=32)))
    np.random.seed(0)
    clips = [torch.randint(0, 256, (1, 3, 4, 16, 16), dtype=torch.uint8)
             for _ in range(4)]
    samples = [ActionDataSample().set_gt_label(i) for i in range(4)]
    data = model.data_preprocessor(dict(inputs=clips, data_samples=samples),
                                   training=True)
    loss = model(**data, mode='loss')['loss_cls']
    logits = model.logits(data['inputs'])
    expected = -(soft(data['data_samples']) *
                 logits.float().log_softmax(-1)).sum(-1).mean()
    assert torch.allclose(loss, expected, atol=1e-5)
