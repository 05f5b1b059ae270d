"""Parity with transformers' VideoMAE, both ways, in float32 on the CPU."""
import pytest
import torch
from mmengine.registry import init_default_scope

from vmae_mm.models.converters import (hf_config_from_vmae, hf_to_vmae,
                                       layout_of, vmae_model_cfg_from_hf,
                                       vmae_to_hf)
from vmae_mm.models.utils.checkpoint_loading import load_state_dict_checked
from vmae_mm.registry import MODELS

transformers = pytest.importorskip('transformers')


def build_ours(hf_model):
    """The vmae_mm model for a transformers model, with its weights."""
    init_default_scope('vmae_mm')
    state_dict = hf_to_vmae(hf_model.state_dict())
    model = MODELS.build(model_cfg_of(hf_model))
    load_state_dict_checked(model, state_dict)
    return model.eval()


def model_cfg_of(hf_model):
    state_dict = hf_to_vmae(hf_model.state_dict())
    return vmae_model_cfg_from_hf(hf_model.config.to_dict(),
                                  layout_of(state_dict))


def to_hf_layout(video):
    return video.transpose(1, 2)  # (B, C, T, H, W) -> (B, T, C, H, W)


def test_pretraining_predictions_and_loss_match(hf_pretrain, video, mask,
                                                close_to_scale):
    ours = build_ours(hf_pretrain)
    with torch.no_grad():
        expected = hf_pretrain(pixel_values=to_hf_layout(video),
                               bool_masked_pos=mask)
        pred = ours.reconstruct(video, mask)
        loss = ours.head.loss(pred, video, mask)
    assert pred.shape == (2, 6, 2 * 16 * 16 * 3)
    close_to_scale(pred, expected.logits)
    close_to_scale(loss, expected.loss)


def test_class_logits_match(hf_classifier, video, close_to_scale):
    ours = build_ours(hf_classifier)
    with torch.no_grad():
        expected = hf_classifier(pixel_values=to_hf_layout(video)).logits
        logits = ours.logits(video)
        scores = ours(video, mode='tensor')
    close_to_scale(logits, expected)
    close_to_scale(scores, expected.softmax(-1))


def test_explicit_attention_matches_transformers(hf_classifier, video,
                                                 close_to_scale):
    ours = build_ours(hf_classifier)
    for block in ours.backbone.blocks:
        block.attn.impl = 'explicit'
    with torch.no_grad():
        expected = hf_classifier(pixel_values=to_hf_layout(video)).logits
        close_to_scale(ours.logits(video), expected)


@pytest.mark.parametrize('fixture', ['hf_pretrain', 'hf_classifier'])
def test_round_trip_ours_hf_ours_is_exact(fixture, request):
    ours = build_ours(request.getfixturevalue(fixture)).state_dict()
    for legacy in (True, False):
        back = hf_to_vmae(vmae_to_hf(ours, legacy_bias_names=legacy))
        assert back.keys() == ours.keys()
        for key, value in ours.items():
            assert torch.equal(back[key], value), key


@pytest.mark.parametrize('fixture,cls', [
    ('hf_pretrain', 'VideoMAEForPreTraining'),
    ('hf_classifier', 'VideoMAEForVideoClassification'),
])
def test_written_directory_loads_in_transformers(fixture, cls, request,
                                                 tmp_path, video, mask,
                                                 close_to_scale):
    """vmae_mm -> transformers directory -> from_pretrained reproduces the
    vmae_mm model (q_bias/v_bias names are renamed on load)."""
    from safetensors.torch import save_file
    hf_model = request.getfixturevalue(fixture)
    ours = build_ours(hf_model)
    model_cfg = model_cfg_of(hf_model)
    config = hf_config_from_vmae(ours.state_dict(), model_cfg)
    assert config['architectures'] == [cls]
    transformers.VideoMAEConfig(**config).save_pretrained(tmp_path)
    save_file(vmae_to_hf(ours.state_dict()),
              str(tmp_path / 'model.safetensors'), metadata=dict(format='pt'))
    loaded = getattr(transformers, cls).from_pretrained(tmp_path).eval()
    for name, param in hf_model.state_dict().items():
        assert torch.equal(loaded.state_dict()[name], param), name
    for module in loaded.modules():
        if isinstance(module, torch.nn.LayerNorm):
            module.eps = 1e-6
    with torch.no_grad():
        if cls == 'VideoMAEForPreTraining':
            out = loaded(pixel_values=to_hf_layout(video),
                         bool_masked_pos=mask).logits
            close_to_scale(ours.reconstruct(video, mask), out)
        else:
            out = loaded(pixel_values=to_hf_layout(video)).logits
            close_to_scale(ours.logits(video), out)


def test_hf_config_from_vmae_describes_the_model(hf_pretrain):
    ours = build_ours(hf_pretrain)
    model_cfg = model_cfg_of(hf_pretrain)
    config = hf_config_from_vmae(ours.state_dict(), model_cfg)
    expected = hf_pretrain.config.to_dict()
    for key in ('image_size', 'patch_size', 'num_frames', 'tubelet_size',
                'hidden_size', 'num_hidden_layers', 'num_attention_heads',
                'intermediate_size', 'decoder_hidden_size',
                'decoder_num_hidden_layers', 'decoder_num_attention_heads',
                'decoder_intermediate_size', 'layer_norm_eps',
                'use_mean_pooling', 'norm_pix_loss', 'qv_bias'):
        assert config[key] == expected[key], key


def test_transformers4_bias_names_are_read(hf_classifier):
    """Hub checkpoints written by transformers 4 hold q_bias/v_bias."""
    modern = hf_classifier.state_dict()
    legacy = {k.replace('attention.query.bias', 'attention.q_bias')
              .replace('attention.value.bias', 'attention.v_bias'): v
              for k, v in modern.items()}
    assert legacy.keys() != modern.keys()
    assert hf_to_vmae(legacy).keys() == hf_to_vmae(modern).keys()


def test_unknown_key_is_named(hf_classifier):
    state = dict(hf_classifier.state_dict())
    state['videomae.encoder.layer.0.attention.attention.key.bias'] = (
        torch.zeros(64))
    with pytest.raises(KeyError, match='attention.attention.key.bias'):
        hf_to_vmae(state)


def test_missing_query_weight_is_named(hf_classifier):
    state = dict(hf_classifier.state_dict())
    del state['videomae.encoder.layer.1.attention.attention.value.weight']
    with pytest.raises(KeyError, match=r"backbone\.blocks\.1.*'value'"):
        hf_to_vmae(state)


def test_layerscale_and_learned_positions_cannot_be_written():
    init_default_scope('vmae_mm')
    backbone = dict(type='VisionTransformer3D', arch='t', img_size=32,
                    num_frames=4, out_type='avg_featmap')
    head = dict(type='VideoMAEClsHead', num_classes=3, in_channels=192)
    scaled = MODELS.build(dict(type='Recognizer', cls_head=head,
                               backbone=dict(backbone, init_values=0.1)))
    with pytest.raises(ValueError, match='gamma_1.*LayerScale'):
        vmae_to_hf(scaled.state_dict())
    learned = MODELS.build(dict(type='Recognizer', cls_head=head,
                                backbone=dict(backbone,
                                              pos_embed='learnable')))
    learned.init_weights()
    with pytest.raises(ValueError, match='learned position table'):
        vmae_to_hf(learned.state_dict())
    with pytest.raises(ValueError, match='learnable or resized'):
        hf_config_from_vmae(learned.state_dict(),
                            dict(backbone=dict(pos_embed='learnable')))


def test_first_token_classification_is_rejected(hf_classifier):
    config = dict(hf_classifier.config.to_dict(), use_mean_pooling=False)
    with pytest.raises(ValueError, match='use_mean_pooling=False'):
        vmae_model_cfg_from_hf(config, 'finetune')
