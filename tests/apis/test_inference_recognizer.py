"""inference_recognizer and demo/demo.py on a real mp4, with a tiny model
checkpoint saved in the test."""
import os.path as osp

import cv2
import pytest
import torch
from mmengine.config import Config

from tests.conftest import REPO_ROOT, run_tool
from vmae_mm.apis import inference_recognizer, init_model, prepare_video

CONFIG = '''
default_scope = 'vmae_mm'
model = dict(
    type='Recognizer',
    backbone=dict(type='VisionTransformer3D',
                  arch=dict(embed_dims=32, num_layers=2, num_heads=2,
                            mlp_dims=64),
                  img_size=32, num_frames=8, out_type='avg_featmap'),
    cls_head=dict(type='VideoMAEClsHead', num_classes=4, in_channels=32,
                  init_scale=1.0))
test_pipeline = [
    dict(type='DecordInit', num_threads=1),
    dict(type='SampleFrames', clip_len=8, frame_interval=2, num_clips=2,
         test_mode=True),
    dict(type='DecordDecode'),
    dict(type='Resize', scale=(-1, 32)),
    dict(type='ThreeCrop', crop_size=32),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackInputs'),
]
test_dataloader = dict(
    batch_size=1,
    dataset=dict(type='VideoDataset', ann_file='unused.txt',
                 pipeline=test_pipeline, test_mode=True))
'''
NAMES = ['pushing', 'pulling', 'spinning', 'dropping']


@pytest.fixture
def setup(tmp_path, make_video):
    config = tmp_path / 'tiny_ft.py'
    config.write_text(CONFIG)
    torch.manual_seed(0)
    model = init_model(str(config))
    checkpoint = str(tmp_path / 'tiny_ft.pth')
    torch.save(dict(state_dict=model.state_dict(), meta=dict(epoch=1)),
               checkpoint)
    label_map = tmp_path / 'labels.txt'
    label_map.write_text('\n'.join(NAMES) + '\n')
    video = make_video('clip.mp4', num_frames=30, size=(40, 56))
    return dict(config=str(config), checkpoint=checkpoint,
                label_map=str(label_map), video=video)


def test_top_k_is_the_view_averaged_softmax(setup):
    model = init_model(setup['config'], setup['checkpoint'])
    assert isinstance(model.cfg, Config)
    data = prepare_video(model, setup['video'])
    assert data['inputs'].shape == (6, 3, 8, 32, 32)  # 2 clips x 3 crops
    assert data['inputs'].dtype == torch.uint8
    with torch.no_grad():
        inputs = (data['inputs'].float() -
                  model.data_preprocessor.mean) / model.data_preprocessor.std
        expected = model.logits(inputs[None])[0].softmax(-1).mean(0)  # (4,)
    preds = inference_recognizer(model, setup['video'], topk=3)
    assert [label for label, _ in preds] == expected.argsort(
        descending=True)[:3].tolist()
    assert [p for _, p in preds] == pytest.approx(
        expected.sort(descending=True).values[:3].tolist(), abs=1e-6)
    named = inference_recognizer(model, data, topk=10,
                                 label_map=setup['label_map'])
    assert len(named) == 4  # capped at the number of classes
    assert [label for label, _ in named] == [NAMES[i] for i, _ in
                                             inference_recognizer(
                                                 model, data, topk=4)]
    assert sum(p for _, p in named) == pytest.approx(1.0, abs=1e-5)


def test_user_errors(setup, tmp_path):
    model = init_model(setup['config'], setup['checkpoint'])
    with pytest.raises(FileNotFoundError, match='absent.mp4'):
        inference_recognizer(model, str(tmp_path / 'absent.mp4'))
    with pytest.raises(ValueError, match='names 2 classes'):
        inference_recognizer(model, setup['video'],
                             label_map=['a', 'b'])
    bare = torch.nn.Linear(2, 2)
    with pytest.raises(AttributeError, match='init_model'):
        prepare_video(bare, setup['video'])


def test_demo_prints_predictions_and_writes_a_strip(setup, tmp_path):
    out = str(tmp_path / 'pics' / 'pred.png')
    result = run_tool([
        osp.join(REPO_ROOT, 'demo', 'demo.py'), setup['video'],
        setup['config'], setup['checkpoint'], '--label-map',
        setup['label_map'], '--topk', '2', '--out', out
    ])
    assert result.returncode == 0, result.stderr[-2000:]
    lines = result.stdout.strip().splitlines()
    assert any(line.startswith(setup['video']) and '6 view(s)' in line
               for line in lines)
    ranked = [line for line in lines if line.lstrip()[:2] in ('1.', '2.')]
    assert len(ranked) == 2
    assert all(line.split()[-1] in NAMES for line in ranked)
    probs = [float(line.split()[1]) for line in ranked]
    assert probs[0] >= probs[1] > 0
    image = cv2.imread(out)
    assert image is not None
    # 8 frames of 32 px enlarged to 128, side by side
    assert image.shape[1] >= 8 * 128 and image.shape[0] > 128


def test_demo_reports_a_missing_checkpoint_in_one_line(setup, tmp_path):
    result = run_tool([
        osp.join(REPO_ROOT, 'demo', 'demo.py'), setup['video'],
        setup['config'], str(tmp_path / 'none.pth')
    ])
    assert result.returncode == 1
    assert 'none.pth' in result.stderr
    assert 'Traceback' not in result.stderr
