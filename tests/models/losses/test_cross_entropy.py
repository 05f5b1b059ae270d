"""CrossEntropyLoss: hard labels with smoothing, soft targets as given."""
import pytest
import torch
import torch.nn.functional as F

from vmae_mm.models.losses import CrossEntropyLoss
from vmae_mm.registry import MODELS


@pytest.fixture
def logits():
    return torch.randn(4, 5, generator=torch.Generator().manual_seed(0))


def test_hard_labels_are_plain_cross_entropy(logits):
    labels = torch.tensor([0, 3, 4, 1])
    loss = CrossEntropyLoss()(logits, labels)
    torch.testing.assert_close(loss, F.cross_entropy(logits, labels))


def test_label_smoothing_is_timms(logits):
    """timm: (1 - s) * nll + s * mean over classes of -log p."""
    labels = torch.tensor([0, 3, 4, 1])
    log_prob = logits.log_softmax(-1)
    nll = -log_prob.gather(1, labels[:, None])[:, 0]
    expected = (0.9 * nll + 0.1 * -log_prob.mean(-1)).mean()
    torch.testing.assert_close(CrossEntropyLoss(0.1)(logits, labels),
                               expected)


def test_soft_targets(logits):
    one_hot = F.one_hot(torch.tensor([2, 0, 1, 4]), 5).float()
    loss = CrossEntropyLoss(label_smoothing=0.3)
    # Soft targets are used as given (mixup smooths them itself).
    torch.testing.assert_close(loss(logits, one_hot),
                               F.cross_entropy(logits, one_hot.argmax(-1)))
    mixed = 0.7 * one_hot + 0.3 * one_hot.roll(1, dims=0)
    expected = -(mixed * logits.log_softmax(-1)).sum(-1).mean()
    torch.testing.assert_close(loss(logits, mixed), expected)


def test_weight_and_registry(logits):
    loss = MODELS.build(dict(type='CrossEntropyLoss', loss_weight=2.0))
    labels = torch.tensor([0, 1, 2, 3])
    torch.testing.assert_close(loss(logits, labels),
                               2 * F.cross_entropy(logits, labels))


def test_bad_targets(logits):
    with pytest.raises(TypeError, match='integer class indices'):
        CrossEntropyLoss()(logits, torch.zeros(4))
    with pytest.raises(ValueError, match='fits neither'):
        CrossEntropyLoss()(logits, torch.zeros(4, 3))
    with pytest.raises(ValueError, match='label_smoothing'):
        CrossEntropyLoss(label_smoothing=1.0)
