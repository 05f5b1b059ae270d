"""The non-finite guard in real training runs (tools/train.py, CPU)."""
import torch

from ..conftest import TINY_PRETRAIN_CONFIG, run_tool
from .run_configs import write_config
from .test_exact_resume import losses

SETTINGS = '''
log_processor = dict(window_size=1)
default_hooks = dict(checkpoint=dict(by_epoch=False, interval=1,
                                     max_keep_ckpts=-1))
custom_hooks = [dict(type='NonFiniteLossHook', begin=3, end={end})]
nonfinite_guard = dict(max_consecutive=3)
'''


def _train(tmp_path, root, end):
    config = write_config(str(tmp_path / 'nan.py'), TINY_PRETRAIN_CONFIG,
                          SETTINGS.format(end=end))
    work_dir = tmp_path / 'run'
    return work_dir, run_tool([
        'tools/train.py', config, '--work-dir', str(work_dir),
        '--cfg-options', f'train_dataloader.dataset.data_root={root}'])


def _load(path):
    return torch.load(path, weights_only=True)


def test_a_nan_step_is_skipped_and_training_goes_on(tmp_path,
                                                    synthetic_root):
    work_dir, result = _train(tmp_path, synthetic_root, end=3)
    assert result.returncode == 0, result.stderr[-3000:]
    assert 'iteration 3: non-finite loss (nan)' in result.stdout
    assert 'optimizer step skipped (1 in a row' in result.stdout
    logged = losses(work_dir)
    assert logged[3] != logged[3]  # NaN, logged as it was
    assert all(logged[i] == logged[i] for i in (1, 2, 4, 5))
    before, skipped, after = (_load(work_dir / f'iter_{i}.pth')
                              for i in (2, 3, 4))
    for name, value in before['state_dict'].items():
        assert torch.equal(value, skipped['state_dict'][name]), name
    steps = [{s['step'].item() for s in c['optimizer']['state'].values()}
             for c in (before, skipped, after)]
    assert steps == [{2.0}, {2.0}, {3.0}]  # the skipped step counts nothing
    # the schedule follows the iteration, skipped or not
    assert skipped['param_schedulers'][0]['_global_step'] == 3
    assert any(not torch.equal(v, after['state_dict'][k])
               for k, v in skipped['state_dict'].items())


def test_k_nan_steps_in_a_row_stop_the_run_in_one_line(tmp_path,
                                                       synthetic_root):
    work_dir, result = _train(tmp_path, synthetic_root, end=100)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr[-3000:]
    assert lines[0].startswith('train.py: error: NonFiniteTrainingError: '
                               'training diverged')
    assert '(iterations 3-5)' in lines[0]
    assert f'--resume {work_dir}/iter_2.pth' in lines[0]
