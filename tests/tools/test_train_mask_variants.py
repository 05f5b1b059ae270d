"""Every mask-variant config of the ViT-B SSv2 recipe trains, with exactly its
own masking, through tools/train.py.

A variant is ``configs/vmae_vitb_ssv2.py`` plus a mask override. ViT-B is
too slow for a CPU test, so the override is read from the variant (the keys
where it differs from the base) and put onto the tiny test config at 64x64
with ``--cfg-options``: the run trains the variant's masks on the tiny model.
"""
import glob
import json
import math
import os.path as osp
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict

import pytest
from mmengine.config import Config

from ..conftest import REPO_ROOT, run_tool

CONFIGS = osp.join(REPO_ROOT, 'configs')
BASE = osp.join(CONFIGS, 'vmae_vitb_ssv2.py')
TINY_64 = osp.join(REPO_ROOT, 'tests', 'data', 'tiny_synthetic_pretrain_64.py')
MASK_KEYS = ('model.mask_generator', 'model.decoder_mask_generator')


def _changes_the_mask(path: str) -> bool:
    """A pretraining config (finetuning ones, ``_ft``, build a Recognizer)
    whose mask generators differ from the base's (not, e.g., the GPU-crop
    variant, which changes the data path only)."""
    cfg = Config.fromfile(path)
    if cfg.model.type != 'VideoMAE':
        return False
    base = Config.fromfile(BASE).model
    return any(cfg.model.get(key) != base.get(key)
               for key in ('mask_generator', 'decoder_mask_generator'))


#: Pretraining configs named after the base that change its masking.
VARIANTS = sorted(
    p for p in glob.glob(osp.join(CONFIGS, 'vmae_vitb_ssv2_*.py'))
    if _changes_the_mask(p))


def flatten(tree: Dict[str, Any], prefix: str = '') -> Dict[str, Any]:
    """Nested dicts as ``{'a.b.c': leaf}``."""
    flat = {}
    for key, value in tree.items():
        if isinstance(value, dict):
            flat.update(flatten(value, f'{prefix}{key}.'))
        else:
            flat[f'{prefix}{key}'] = value
    return flat


def variant_override(path: str) -> Dict[str, Any]:
    """The variant's masking: its mask generators, after checking that the
    variant differs from the base in those and nothing else."""
    base = flatten(Config.fromfile(BASE).to_dict())
    variant_cfg = Config.fromfile(path)
    variant = flatten(variant_cfg.to_dict())
    changed = {k for k in base.keys() | variant.keys()
               if base.get(k, None) != variant.get(k, None)}
    assert changed, f'{path} changes nothing'
    outside = sorted(k for k in changed if not k.startswith(MASK_KEYS))
    assert not outside, f'{path} overrides more than the mask: {outside}'
    return {key.split('.', 1)[1]: variant_cfg.model.get(key.split('.')[1])
            for key in MASK_KEYS
            if variant_cfg.model.get(key.split('.')[1]) is not None}


def test_the_issue_variants_exist():
    names = {osp.basename(p) for p in VARIANTS}
    assert {'vmae_vitb_ssv2_random.py', 'vmae_vitb_ssv2_frame.py',
            'vmae_vitb_ssv2_block.py', 'vmae_vitb_ssv2_dual.py'} <= names


@pytest.mark.parametrize('path', VARIANTS, ids=osp.basename)
def test_variant_overrides_only_the_mask(path):
    masks = variant_override(path)
    assert masks['mask_generator']['type'] in {
        'TubeMasking', 'RandomMasking', 'FrameMasking', 'BlockMasking',
        'RunningCellMasking'}


def _train(path: str, work_dir: str, data_root: str):
    masks = variant_override(path)
    options = []
    for name, generator in masks.items():
        for key, value in generator.items():
            assert isinstance(value, (str, int, float)), (
                f'{path}: {name}.{key}={value!r} cannot go through '
                '--cfg-options; extend this test')
            options.append(f'model.{name}.{key}={value}')
    result = run_tool([
        'tools/train.py', TINY_64, '--work-dir', work_dir, '--cfg-options',
        f'train_dataloader.dataset.data_root={data_root}', *options
    ])
    return masks, result


def test_every_variant_trains_with_its_own_mask(tmp_path, synthetic_root):
    jobs = {osp.basename(p): (p, str(tmp_path / osp.basename(p)[:-3]))
            for p in VARIANTS}
    with ThreadPoolExecutor(max_workers=2) as pool:  # 2 CPU cores
        runs = dict(zip(jobs, pool.map(
            lambda job: _train(*job, synthetic_root), jobs.values())))
    for name, (masks, result) in runs.items():
        assert result.returncode == 0, f'{name}: {result.stderr[-3000:]}'
        work_dir = jobs[name][1]
        dumped = Config.fromfile(glob.glob(osp.join(work_dir, '*.py'))[0])
        # The run's model masks exactly as the variant does.
        assert dumped.model.mask_generator == masks['mask_generator'], name
        assert dumped.model.get('decoder_mask_generator') == masks.get(
            'decoder_mask_generator'), name
        assert dumped.model.backbone.img_size == 64  # the tiny model
        logs = glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json'))
        with open(logs[0]) as f:
            losses = [json.loads(line)['loss'] for line in f
                      if '"loss"' in line]
        assert len(losses) == 5, name  # 20 videos / batch 4, one epoch
        assert all(math.isfinite(loss) and loss > 0 for loss in losses)
