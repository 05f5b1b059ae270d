"""tools/train.py end to end on the CPU: train, checkpoint, resume, errors."""
import glob
import json
import os.path as osp

import torch

from ..conftest import TINY_PRETRAIN_CONFIG, run_tool


def _train(work_dir, synthetic_root, *extra):
    return run_tool([
        'tools/train.py', TINY_PRETRAIN_CONFIG, '--work-dir', str(work_dir),
        *extra, '--cfg-options',
        f'train_dataloader.dataset.data_root={synthetic_root}'
    ])


def _losses(work_dir):
    logs = sorted(glob.glob(osp.join(work_dir, '*', 'vis_data',
                                     'scalars.json')))
    losses = []
    for log in logs:
        with open(log) as f:
            for line in f:
                record = json.loads(line)
                if 'loss' in record:
                    losses.append((record['iter'], record['loss']))
    return losses


def test_train_saves_and_resumes(tmp_path, synthetic_root):
    work_dir = tmp_path / 'run'
    first = _train(work_dir, synthetic_root)
    assert first.returncode == 0, first.stderr[-3000:]
    ckpt = work_dir / 'epoch_1.pth'
    assert ckpt.is_file()
    state = torch.load(ckpt, weights_only=True)  # the safe default loader
    assert state['meta']['iter'] == 5  # 20 videos / batch 4
    steps = {s['step'].item() for s in state['optimizer']['state'].values()}
    assert steps == {5.0}

    resumed = run_tool([
        'tools/train.py', TINY_PRETRAIN_CONFIG, '--work-dir', str(work_dir),
        '--resume', '--cfg-options',
        f'train_dataloader.dataset.data_root={synthetic_root}',
        'train_cfg.max_epochs=2'
    ])
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert 'resumed epoch: 1, iter: 5' in resumed.stdout + resumed.stderr
    state = torch.load(work_dir / 'epoch_2.pth', weights_only=True)
    assert state['meta']['iter'] == 10
    steps = {s['step'].item() for s in state['optimizer']['state'].values()}
    assert steps == {10.0}  # the optimizer state carried on
    iters = [i for i, _ in _losses(work_dir)]
    assert 10 in iters and 6 in iters


def test_cfg_options_swap_the_mask(tmp_path, synthetic_root):
    result = run_tool([
        'tools/train.py', TINY_PRETRAIN_CONFIG, '--work-dir',
        str(tmp_path / 'swap'), '--cfg-options',
        f'train_dataloader.dataset.data_root={synthetic_root}',
        'model.mask_generator.type=RandomMasking',
        'model.mask_generator.mask_ratio=0.75'
    ])
    assert result.returncode == 0, result.stderr[-3000:]
    with open(glob.glob(str(tmp_path / 'swap' / '*.py'))[0]) as f:
        dumped = f.read()
    assert "type='RandomMasking'" in dumped
    assert 'mask_ratio=0.75' in dumped


def test_unknown_type_is_one_line_naming_the_key(tmp_path, synthetic_root):
    result = run_tool([
        'tools/train.py', TINY_PRETRAIN_CONFIG, '--work-dir',
        str(tmp_path / 'bad'), '--cfg-options',
        'model.mask_generator.type=RandMasking'
    ])
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert 'model.mask_generator.type' in lines[0]
    assert 'RandMasking' in lines[0]


def test_wrong_argument_is_one_line_naming_the_key(tmp_path):
    result = run_tool([
        'tools/train.py', TINY_PRETRAIN_CONFIG, '--work-dir',
        str(tmp_path / 'bad'), '--cfg-options',
        'model.mask_generator.mask_ration=0.9'
    ])
    assert result.returncode == 1
    line = result.stderr.strip().splitlines()[-1]
    assert 'model.mask_generator.mask_ration' in line
    assert "did you mean 'mask_ratio'" in line


def test_training_shorter_than_its_warmup_is_one_line(tmp_path):
    # the tiny finetuning config warms up for 1 epoch, then a cosine
    # begins: 1 epoch of training never reaches it
    config = osp.join(osp.dirname(TINY_PRETRAIN_CONFIG), 'tiny_synthetic_ft.py')
    result = run_tool(['tools/train.py', config, '--work-dir',
                       str(tmp_path / 'bad'), '--cfg-options',
                       'train_cfg.max_epochs=1'])
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr[-3000:]
    assert lines[0] == (
        'train.py: error: ConfigError: param_scheduler[1] '
        '(CosineAnnealingLR) begins at epoch 1, but train_cfg.max_epochs is '
        "1: raise train_cfg.max_epochs above 1 or move the scheduler's "
        'begin (a shorter warm-up)')


def _video_list_config(tmp_path, ann_file, root):
    """The tiny config reading a plain annotation list instead of the
    synthetic dataset."""
    path = tmp_path / 'video_list.py'
    path.write_text(
        f"_base_ = [{TINY_PRETRAIN_CONFIG!r}]\n"
        "train_dataloader = dict(dataset=dict(\n"
        "    _delete_=True, type='VideoDataset',\n"
        f"    ann_file={str(ann_file)!r},\n"
        f"    data_prefix=dict(video={str(root)!r}),\n"
        "    pipeline={{_base_.train_pipeline}}))\n")
    return str(path)


def test_missing_annotation_file_is_one_line(tmp_path):
    missing = tmp_path / 'nowhere' / 'train.txt'
    config = _video_list_config(tmp_path, missing, tmp_path)
    result = run_tool(['tools/train.py', config, '--work-dir',
                       str(tmp_path / 'bad')])
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and str(missing) in lines[0], result.stderr


def test_missing_video_is_one_line_naming_it(tmp_path, synthetic_root):
    ann = tmp_path / 'list.txt'
    ann.write_text('videos/train/00000.mp4 0\nvideos/absent.mp4 1\n' * 4)
    config = _video_list_config(tmp_path, ann, synthetic_root)
    result = run_tool(['tools/train.py', config, '--work-dir',
                       str(tmp_path / 'bad')])
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr[-2000:]
    assert osp.join(synthetic_root, 'videos/absent.mp4') in lines[0]
