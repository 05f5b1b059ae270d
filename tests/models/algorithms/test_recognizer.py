"""Recognizer: scores, multi-view averaging, losses, predictions, layer ids,
parameter counts of the finetuning models."""
import os.path as osp

import pytest
import torch
import torch.nn.functional as F
from mmengine.config import Config
from mmengine.optim import OptimWrapper

from vmae_mm.registry import MODELS
from vmae_mm.structures import ActionDataSample

NUM_CLASSES = 5
CONFIG_DIR = osp.join(osp.dirname(osp.abspath(__file__)), '..', '..', '..',
                      'configs', '_base_', 'models')


def build(**backbone):
    torch.manual_seed(0)
    model = MODELS.build(dict(
        type='Recognizer',
        backbone=dict(dict(type='VisionTransformer3D',
                           arch=dict(embed_dims=32, num_layers=2,
                                     num_heads=2, mlp_dims=64),
                           img_size=32, num_frames=4,
                           out_type='avg_featmap'), **backbone),
        cls_head=dict(type='VideoMAEClsHead', num_classes=NUM_CLASSES,
                      in_channels=32, init_scale=1.0)))
    model.init_weights()
    return model.eval()


def samples(labels):
    return [ActionDataSample().set_gt_label(label) for label in labels]


def test_tensor_mode_returns_probabilities():
    model = build()
    video = torch.randn(3, 3, 4, 32, 32)
    with torch.no_grad():
        scores = model(video)
        logits = model.logits(video)
    assert scores.shape == (3, NUM_CLASSES)
    torch.testing.assert_close(scores, logits.softmax(-1))


def test_multi_view_averages_softmax_over_views():
    model = build()
    views = torch.randn(2, 3, 3, 4, 32, 32)  # (B, V, C, T, H, W)
    with torch.no_grad():
        scores = model(views)
        per_view = torch.stack([model(views[:, v]) for v in range(3)], 1)
        logits = model.logits(views)
    assert logits.shape == (2, 3, NUM_CLASSES)
    torch.testing.assert_close(scores, per_view.mean(1))
    # Not the softmax of averaged logits (what the original avoids).
    assert not torch.allclose(scores, logits.mean(1).softmax(-1))


def test_loss_with_labels_soft_targets_and_views():
    model = build()
    video = torch.randn(2, 3, 4, 32, 32)
    labels = [1, 4]
    loss = model(video, samples(labels), mode='loss')['loss_cls']
    expected = F.cross_entropy(model.logits(video), torch.tensor(labels))
    torch.testing.assert_close(loss, expected)

    soft = [torch.tensor([0., .5, .5, 0., 0.]), torch.tensor([.2] * 5)]
    loss = model(video, samples(soft), mode='loss')['loss_cls']
    target = torch.stack(soft)
    expected = -(target * model.logits(video).log_softmax(-1)).sum(-1).mean()
    torch.testing.assert_close(loss, expected)

    views = torch.randn(2, 2, 3, 4, 32, 32)  # repeated sampling: 2 clips
    loss = model(views, samples(labels), mode='loss')['loss_cls']
    expected = F.cross_entropy(model.logits(views).flatten(0, 1),
                               torch.tensor([1, 1, 4, 4]))
    torch.testing.assert_close(loss, expected)
    with pytest.raises(ValueError, match='gt_label'):
        model(video, None, mode='loss')


def test_predict_sets_pred_score():
    model = build()
    video = torch.randn(2, 2, 3, 4, 32, 32)
    given = samples([0, 1])
    with torch.no_grad():
        out = model(video, given, mode='predict')
        scores = model(video)
    assert out[0] is given[0] and out[1].gt_label.item() == 1
    torch.testing.assert_close(torch.stack([s.pred_score for s in out]),
                               scores)
    fresh = model(video, mode='predict')
    assert len(fresh) == 2 and fresh[0].pred_score.shape == (NUM_CLASSES, )


def test_steps_through_the_data_preprocessor():
    model = build()
    data = dict(inputs=[torch.randint(0, 256, (2, 3, 4, 32, 32),
                                      dtype=torch.uint8) for _ in range(3)],
                data_samples=samples([0, 2, 3]))
    out = model.val_step(data)
    assert len(out) == 3 and out[2].pred_score.sum().item() == pytest.approx(1)

    model.train()
    optim = OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.05))
    data = dict(inputs=[torch.randint(0, 256, (1, 3, 4, 32, 32),
                                      dtype=torch.uint8) for _ in range(4)],
                data_samples=samples([0, 1, 2, 3]))
    losses = [model.train_step(data, optim)['loss_cls'].item()
              for _ in range(15)]
    assert losses[-1] < 0.5 * losses[0]


def test_no_weight_decay_and_layer_ids():
    model = build(pos_embed='learnable')
    names = model.no_weight_decay()
    assert {'backbone.pos_embed', 'backbone.fc_norm.weight',
            'backbone.blocks.0.attn.q_bias', 'cls_head.fc_cls.bias'} <= names
    assert 'cls_head.fc_cls.weight' not in names
    assert model.get_num_layers() == 2
    layer_ids = {name: model.get_layer_id(name)
                 for name, _ in model.named_parameters()}
    assert layer_ids['backbone.pos_embed'] == 0
    assert layer_ids['backbone.patch_embed.proj.weight'] == 0
    assert layer_ids['backbone.blocks.0.norm1.weight'] == 1
    assert layer_ids['backbone.blocks.1.mlp.fc2.bias'] == 2
    assert layer_ids['backbone.fc_norm.weight'] == 3
    assert layer_ids['cls_head.fc_cls.weight'] == 3
    assert set(layer_ids.values()) == {0, 1, 2, 3}


def test_rejects_token_backbone_and_bad_input():
    with pytest.raises(ValueError, match='avg_featmap'):
        build(out_type='tokens')
    model = build()
    with pytest.raises(ValueError, match=r'\(B, C, T, H, W\)'):
        model(torch.randn(3, 4, 32, 32))
    with pytest.raises(RuntimeError, match='modes'):
        model(torch.randn(1, 3, 4, 32, 32), mode='features')


# Finetuning model sizes in the VideoMAE paper (K400 head, 400 classes),
# from the base model configs.
@pytest.mark.parametrize('arch,millions', [('s', 22), ('b', 87), ('l', 305),
                                           ('h', 633)])
def test_parameter_counts_match_the_paper(arch, millions):
    path = osp.join(CONFIG_DIR, f'recognizer_vit{arch}.py')
    cfg = Config.fromfile(path)
    with torch.device('meta'):  # shapes only
        model = MODELS.build(cfg.model)
    count = sum(p.numel() for p in model.parameters())
    assert count == pytest.approx(millions * 1e6, rel=0.01)
    assert cfg.model.cls_head.in_channels == model.backbone.embed_dims
