"""tools/model_converters/convert_videomae.py end to end."""
import argparse
import importlib.util
import os.path as osp
import subprocess
import sys

import pytest
import torch

from vmae_mm.apis import init_model
from vmae_mm.models.converters import vmae_to_official

transformers = pytest.importorskip('transformers')

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
SCRIPT = osp.join(REPO, 'tools', 'model_converters', 'convert_videomae.py')
spec = importlib.util.spec_from_file_location('convert_videomae', SCRIPT)
convert_videomae = importlib.util.module_from_spec(spec)
spec.loader.exec_module(convert_videomae)

FINETUNE = '''
default_scope = 'vmae_mm'
model = dict(type='Recognizer',
             backbone=dict(type='VisionTransformer3D',
                           arch=dict(embed_dims=64, num_layers=2,
                                     num_heads=2, mlp_dims=256),
                           img_size=32, num_frames=4, out_type='avg_featmap'),
             cls_head=dict(type='VideoMAEClsHead', num_classes=5,
                           in_channels=64))
'''


@pytest.fixture
def config(tmp_path):
    path = tmp_path / 'finetune.py'
    path.write_text(FINETUNE)
    return str(path)


@pytest.fixture
def hf_dir(tmp_path):
    torch.manual_seed(0)
    hf_config = transformers.VideoMAEConfig(
        image_size=32, patch_size=16, num_frames=4, tubelet_size=2,
        hidden_size=64, num_hidden_layers=2, num_attention_heads=2,
        intermediate_size=256, layer_norm_eps=1e-6, num_labels=5)
    model = transformers.VideoMAEForVideoClassification(hf_config)
    with torch.no_grad():
        for param in model.parameters():
            param.add_(0.05 * torch.randn_like(param))
    model.save_pretrained(tmp_path / 'hf')
    return tmp_path / 'hf'


def hf_logits(model, video):
    for module in model.modules():  # the original's fc_norm eps, as ours
        if isinstance(module, torch.nn.LayerNorm):
            module.eps = 1e-6
    with torch.no_grad():
        return model.eval()(pixel_values=video.transpose(1, 2)).logits


def test_hf_directory_to_vmae(hf_dir, tmp_path, config):
    out = tmp_path / 'ours.pth'
    assert convert_videomae.main([str(hf_dir), str(out)]) == 0
    saved = torch.load(out, weights_only=True)
    assert saved['meta']['converted_from'] == 'hf'
    video = torch.randn(2, 3, 4, 32, 32)
    model = init_model(config, str(out))
    reference = transformers.VideoMAEForVideoClassification.from_pretrained(
        hf_dir)
    expected = hf_logits(reference, video)
    with torch.no_grad():
        actual = model.logits(video)
    assert (actual - expected).abs().max() < 1e-5 * expected.abs().max()


def test_vmae_to_hf_directory_round_trip(hf_dir, tmp_path, config):
    ours = tmp_path / 'ours.pth'
    convert_videomae.main([str(hf_dir), str(ours)])
    out = tmp_path / 'back'
    convert_videomae.main([str(ours), str(out), '--to', 'hf', '--config',
                           config])
    original = transformers.VideoMAEForVideoClassification.from_pretrained(
        hf_dir)
    rebuilt = transformers.VideoMAEForVideoClassification.from_pretrained(out)
    for name, value in original.state_dict().items():
        assert torch.equal(rebuilt.state_dict()[name], value), name
    assert rebuilt.config.layer_norm_eps == 1e-6


def test_official_file_verified_against_a_config(tmp_path, config):
    torch.manual_seed(0)
    model = init_model(config)
    src = tmp_path / 'official.pth'
    torch.save(dict(module=vmae_to_official(model.state_dict()),
                    args=argparse.Namespace(model='vit_tiny')), src)
    out = tmp_path / 'converted.pth'
    convert_videomae.main([str(src), str(out), '--src-format', 'official',
                           '--config', config])
    converted = init_model(config, str(out))
    video = torch.randn(1, 3, 4, 32, 32)
    with torch.no_grad():
        assert torch.equal(converted(video), model(video))


def test_mismatch_with_the_config_names_the_key(tmp_path, config):
    model = init_model(config)
    state = vmae_to_official(model.state_dict())
    state['blocks.0.attn.proj.weight'] = torch.zeros(64, 32)
    src = tmp_path / 'bad.pth'
    torch.save(dict(model=state), src)
    with pytest.raises(RuntimeError, match='blocks.0.attn.proj.weight'):
        convert_videomae.main([str(src), str(tmp_path / 'x.pth'),
                               '--config', config])
    assert not (tmp_path / 'x.pth').exists()


def test_runs_as_a_script():
    result = subprocess.run([sys.executable, SCRIPT, '--help'],
                            capture_output=True, text=True, cwd=REPO)
    assert result.returncode == 0 and '--src-format' in result.stdout


PRETRAIN = '''
default_scope = 'vmae_mm'
model = dict(type='VideoMAE',
             backbone=dict(type='VisionTransformer3D',
                           arch=dict(embed_dims=64, num_layers=2,
                                     num_heads=2, mlp_dims=256),
                           img_size=32, num_frames=4),
             neck=dict(type='VideoMAEDecoder', in_dims=64, embed_dims=32,
                       num_layers=1, num_heads=2),
             head=dict(type='VideoMAEPretrainHead'),
             mask_generator=dict(type='TubeMasking', mask_ratio=0.75))
'''


def test_pretraining_model_to_hf_directory(tmp_path):
    config = tmp_path / 'pretrain.py'
    config.write_text(PRETRAIN)
    torch.manual_seed(0)
    model = init_model(config)
    with torch.no_grad():
        for param in model.parameters():
            param.add_(0.05 * torch.randn_like(param))
    src = tmp_path / 'epoch_800.pth'
    torch.save(dict(state_dict=model.state_dict()), src)
    out = tmp_path / 'hf'
    convert_videomae.main([str(src), str(out), '--to', 'hf', '--config',
                           str(config)])
    assert (out / 'config.json').exists()
    hf_model = transformers.VideoMAEForPreTraining.from_pretrained(out).eval()
    for module in hf_model.modules():
        if isinstance(module, torch.nn.LayerNorm):
            module.eps = 1e-6
    video = torch.randn(2, 3, 4, 32, 32)
    mask = torch.zeros(2, 8, dtype=torch.bool)
    mask[:, 2:] = True
    with torch.no_grad():
        expected = hf_model(pixel_values=video.transpose(1, 2),
                            bool_masked_pos=mask).logits
        actual = model.reconstruct(video, mask)
    assert (actual - expected).abs().max() < 1e-5 * expected.abs().max()
