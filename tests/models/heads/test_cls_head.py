"""VideoMAEClsHead: the original's scaled init, dropout, loss."""
import pytest
import torch

from vmae_mm.models.heads import VideoMAEClsHead


def test_init_is_scaled_truncated_normal():
    torch.manual_seed(0)
    head = VideoMAEClsHead(num_classes=400, in_channels=768)
    head.init_weights()
    weight = head.fc_cls.weight
    assert weight.std().item() == pytest.approx(0.02 * 0.001, rel=0.05)
    assert weight.abs().max().item() <= 2 * 0.001  # truncated at +-2
    assert torch.equal(head.fc_cls.bias, torch.zeros(400))
    unscaled = VideoMAEClsHead(10, 768, init_scale=1.0)
    unscaled.init_weights()
    assert unscaled.fc_cls.weight.std().item() == pytest.approx(0.02,
                                                                rel=0.1)


def test_forward_and_dropout():
    head = VideoMAEClsHead(num_classes=3, in_channels=8, dropout_ratio=0.5)
    feats = torch.randn(64, 8)
    assert head.eval()(feats).shape == (64, 3)
    assert torch.equal(head(feats), head(feats))
    head.train()
    assert not torch.equal(head(feats), head(feats))


def test_loss_takes_labels_and_soft_targets():
    head = VideoMAEClsHead(num_classes=3, in_channels=8,
                           loss_cls=dict(type='CrossEntropyLoss',
                                         label_smoothing=0.1))
    head.init_weights()
    feats = torch.randn(4, 8)
    hard = head.loss(feats, torch.tensor([0, 1, 2, 0]))['loss_cls']
    soft = head.loss(feats, torch.full((4, 3), 1 / 3))['loss_cls']
    # Near-zero init: uniform scores, so both are close to log(3).
    assert hard.item() == pytest.approx(torch.log(torch.tensor(3.)).item(),
                                        abs=1e-2)
    assert soft.item() == pytest.approx(hard.item(), abs=1e-2)
    assert head.no_weight_decay() == {'fc_cls.bias'}


def test_rejects_no_classes():
    with pytest.raises(ValueError, match='num_classes'):
        VideoMAEClsHead(num_classes=0, in_channels=8)
