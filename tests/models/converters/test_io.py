"""Reading checkpoints: files, transformers directories, wrappers, safety."""
import argparse

import pytest
import torch

from vmae_mm.models.converters import (detect_format, load_as_vmae,
                                       read_checkpoint, unwrap_state_dict)


class NotATensor:
    """Stands for arbitrary pickled objects in an untrusted file."""


def test_detect_format():
    assert detect_format({'backbone.patch_embed.proj.weight': 0,
                          'neck.mask_token': 0}) == 'vmae'
    assert detect_format({'encoder.blocks.0.norm1.weight': 0}) == 'official'
    assert detect_format({'blocks.0.norm1.weight': 0,
                          'head.weight': 0}) == 'official'
    assert detect_format({'videomae.layernorm.weight': 0}) == 'hf'
    assert detect_format({'embeddings.patch_embeddings.projection.weight':
                          0}) == 'hf'
    assert detect_format({'backbone.blocks.0.mlp.layers.1.weight':
                          0}) == 'mmaction2'
    with pytest.raises(ValueError, match='pass the format'):
        detect_format({'conv1.weight': 0})


def test_unwrap():
    weights = {'module.blocks.0.norm1.weight': torch.zeros(2)}
    assert list(unwrap_state_dict(dict(state_dict=weights, meta={}))) == [
        'blocks.0.norm1.weight']
    assert list(unwrap_state_dict(dict(model=weights, epoch=3))) == [
        'blocks.0.norm1.weight']
    with pytest.raises(ValueError, match='no state dict'):
        unwrap_state_dict(dict(epoch=3, optimizer={}))


def test_official_file_with_its_args_loads_safely(tmp_path):
    path = tmp_path / 'checkpoint-799.pth'
    torch.save(dict(model={'blocks.0.norm1.weight': torch.ones(4)},
                    args=argparse.Namespace(lr=1e-3, model='vit_b')), path)
    state, fmt, hf_config = load_as_vmae(path)
    assert fmt == 'official' and hf_config is None
    assert torch.equal(state['backbone.blocks.0.norm1.weight'], torch.ones(4))


def test_arbitrary_objects_need_trust(tmp_path):
    path = tmp_path / 'epoch_1.pth'
    torch.save(dict(state_dict={'backbone.norm.weight': torch.ones(2)},
                    message_hub=NotATensor()), path)
    with pytest.raises(RuntimeError, match='trusted=True'):
        read_checkpoint(path)
    raw, _ = read_checkpoint(path, trusted=True)
    assert isinstance(raw['message_hub'], NotATensor)


def test_safetensors_and_missing_files(tmp_path):
    from safetensors.torch import save_file
    path = tmp_path / 'weights.safetensors'
    save_file({'backbone.norm.weight': torch.ones(3)}, str(path))
    state, fmt, _ = load_as_vmae(path)
    assert fmt == 'vmae' and torch.equal(state['backbone.norm.weight'],
                                         torch.ones(3))
    with pytest.raises(FileNotFoundError, match='does not exist'):
        read_checkpoint(tmp_path / 'absent.pth')
    with pytest.raises(FileNotFoundError, match='model.safetensors'):
        read_checkpoint(tmp_path)  # a directory without weights


def test_transformers_directory(tmp_path, hf_classifier):
    hf_classifier.save_pretrained(tmp_path)
    state, fmt, hf_config = load_as_vmae(tmp_path)
    assert fmt == 'hf' and hf_config['num_attention_heads'] == 2
    assert 'cls_head.fc_cls.weight' in state
