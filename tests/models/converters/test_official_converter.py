"""The official key layout (ANCHORS.md) converts and reproduces
transformers; the reverse function agrees with the layout."""
import pytest
import torch
from mmengine.registry import init_default_scope

from vmae_mm.models.converters import (detect_format, hf_to_vmae, layout_of,
                                       official_to_vmae, to_vmae,
                                       unwrap_state_dict,
                                       vmae_model_cfg_from_hf,
                                       vmae_to_official)
from vmae_mm.models.utils.checkpoint_loading import load_state_dict_checked
from vmae_mm.registry import MODELS


def official_pretrain_by_hand(ours):
    """Rename as ANCHORS.md lists for ``checkpoint-N.pth``."""
    out = {}
    for key, value in ours.items():
        if key.startswith('backbone.'):
            out['encoder.' + key[len('backbone.'):]] = value
        elif key == 'neck.mask_token':
            out['mask_token'] = value
        elif key == 'neck.encoder_to_decoder.weight':
            out['encoder_to_decoder.weight'] = value
        elif key.startswith('neck.decoder_pred.'):
            out['decoder.head.' + key.rsplit('.', 1)[1]] = value
        else:
            out['decoder.' + key[len('neck.'):]] = value
    return out


def official_finetune_by_hand(ours, prefix=''):
    """Finetuned layout: encoder keys unprefixed (or ``encoder.``),
    ``fc_norm``, ``head``."""
    out = {}
    for key, value in ours.items():
        if key.startswith('cls_head.fc_cls.'):
            out['head.' + key.rsplit('.', 1)[1]] = value
        else:
            out[prefix + key[len('backbone.'):]] = value
    return out


def from_hf(hf_model):
    init_default_scope('vmae_mm')
    state = hf_to_vmae(hf_model.state_dict())
    cfg = vmae_model_cfg_from_hf(hf_model.config.to_dict(), layout_of(state))
    return state, cfg


def test_pretraining_checkpoint_reproduces_transformers(
        hf_pretrain, video, mask, close_to_scale):
    state, cfg = from_hf(hf_pretrain)
    checkpoint = dict(model=official_pretrain_by_hand(state), epoch=799)
    converted, fmt = to_vmae(unwrap_state_dict(checkpoint))
    assert fmt == 'official'
    model = MODELS.build(cfg).eval()
    load_state_dict_checked(model, converted)
    with torch.no_grad():
        expected = hf_pretrain(pixel_values=video.transpose(1, 2),
                               bool_masked_pos=mask).logits
        close_to_scale(model.reconstruct(video, mask), expected)


@pytest.mark.parametrize('wrapper,prefix', [('module', ''),
                                            ('model', 'encoder.')])
def test_finetuned_checkpoint_reproduces_transformers(
        hf_classifier, video, close_to_scale, wrapper, prefix):
    state, cfg = from_hf(hf_classifier)
    official = official_finetune_by_hand(state, prefix)
    if wrapper == 'module':  # DeepSpeed, and a torch.compile'd model
        official = {'_orig_mod.' + k: v for k, v in official.items()}
    converted, fmt = to_vmae(unwrap_state_dict({wrapper: official}))
    assert fmt == 'official' and converted.keys() == state.keys()
    model = MODELS.build(cfg).eval()
    load_state_dict_checked(model, converted)
    with torch.no_grad():
        expected = hf_classifier(pixel_values=video.transpose(1, 2)).logits
        close_to_scale(model.logits(video), expected)


def test_reverse_matches_the_layout(hf_pretrain, hf_classifier):
    pretrain, _ = from_hf(hf_pretrain)
    assert vmae_to_official(pretrain) == official_pretrain_by_hand(pretrain)
    finetune, _ = from_hf(hf_classifier)
    assert vmae_to_official(finetune) == official_finetune_by_hand(finetune)
    assert official_to_vmae(vmae_to_official(finetune)) == finetune


def test_unknown_key_is_named():
    state = {'encoder.patch_embed.proj.weight': torch.zeros(1),
             'encoder.cls_token': torch.zeros(1)}
    assert detect_format(state) == 'official'
    with pytest.raises(KeyError, match="'encoder.cls_token'"):
        official_to_vmae(state)
