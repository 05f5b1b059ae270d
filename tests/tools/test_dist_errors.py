"""Bad launches through tools/dist_train.sh and tools/dist_test.sh stop in
one line, before torchrun starts any process."""
import socket

import pytest

from vmae_mm.engine.setup_checks import free_port

from ..conftest import TINY_PRETRAIN_CONFIG, run_tool


def _one_line(result, script='dist_train.sh'):
    assert result.returncode == 1, result.stdout[-2000:]
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr[-3000:]
    assert lines[0].startswith(f'{script}: error: ')
    assert 'torch.distributed' not in result.stdout + result.stderr
    return lines[0]


def test_port_in_use(tmp_path, synthetic_root):
    with socket.socket() as busy:
        busy.bind(('127.0.0.1', 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        result = run_tool(['tools/dist_train.sh', TINY_PRETRAIN_CONFIG, '2',
                           '--work-dir', str(tmp_path)],
                          env=dict(PORT=str(port)))
    line = _one_line(result)
    assert f'port {port} on 127.0.0.1 is in use' in line
    assert 'PORT=' in line


def test_global_batch_that_does_not_divide(tmp_path, synthetic_root):
    result = run_tool(
        ['tools/dist_train.sh', TINY_PRETRAIN_CONFIG, '3', '--work-dir',
         str(tmp_path), '--cfg-options',
         f'train_dataloader.dataset.data_root={synthetic_root}',
         'global_batch_size=8'], env=dict(PORT=str(free_port())))
    assert 'global_batch_size=8 does not divide over 3 processes' in \
        _one_line(result)


def test_missing_dataset_folder(tmp_path):
    missing = tmp_path / 'not_mounted'
    ann = tmp_path / 'train.txt'
    ann.write_text('a.mp4 0\n')
    config = tmp_path / 'video_list.py'
    config.write_text(
        f"_base_ = [{TINY_PRETRAIN_CONFIG!r}]\n"
        "train_dataloader = dict(dataset=dict(\n"
        "    _delete_=True, type='VideoDataset',\n"
        f"    ann_file={str(ann)!r},\n"
        f"    data_prefix=dict(video={str(missing)!r}),\n"
        "    pipeline={{_base_.train_pipeline}}))\n")
    result = run_tool(['tools/dist_train.sh', str(config), '2',
                       '--work-dir', str(tmp_path)],
                      env=dict(PORT=str(free_port())))
    line = _one_line(result)
    assert f'dataset folder not found: {missing}' in line
    assert 'train_dataloader.dataset.data_prefix.video=PATH' in line


@pytest.mark.parametrize('gpus', ['two', '-1'])
def test_gpus_must_be_a_number(gpus):
    result = run_tool(['tools/dist_test.sh', TINY_PRETRAIN_CONFIG, 'x.pth',
                       gpus])
    assert "GPUS must be a whole number" in _one_line(result, 'dist_test.sh')


def test_missing_checkpoint_for_testing(tmp_path):
    result = run_tool(['tools/dist_test.sh', TINY_PRETRAIN_CONFIG,
                       str(tmp_path / 'absent.pth'), '2'],
                      env=dict(PORT=str(free_port())))
    assert 'checkpoint not found' in _one_line(result, 'dist_test.sh')
