"""Complete-or-absent checkpoint files and the choice of auto-resume."""
import os
import os.path as osp
import time

import torch

from vmae_mm.engine.checkpoint_files import (checkpoint_problem, commit,
                                             find_resumable_checkpoint,
                                             partial_name, remove_partials,
                                             write_text_atomic)


def _save(path, value=0.0, mtime=None):
    torch.save({'state_dict': {'w': torch.full((64, ), value)}}, path)
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return str(path)


def _truncate(path, keep=0.5):
    data = open(path, 'rb').read()
    with open(path, 'wb') as f:
        f.write(data[:int(len(data) * keep)])


def test_complete_truncated_empty_and_missing_files(tmp_path):
    good = _save(tmp_path / 'good.pth')
    assert checkpoint_problem(good) is None
    bad = _save(tmp_path / 'bad.pth')
    _truncate(bad, keep=0.9)
    assert 'truncated' in checkpoint_problem(bad)
    (tmp_path / 'empty.pth').write_bytes(b'')
    assert 'truncated' in checkpoint_problem(str(tmp_path / 'empty.pth'))
    assert checkpoint_problem(str(tmp_path / 'absent.pth')) == 'missing'


def test_sharded_checkpoint_folders(tmp_path):
    folder = tmp_path / 'epoch_1.pth'
    folder.mkdir()
    assert 'without .pth shards' in checkpoint_problem(str(folder))
    _save(folder / 'rank0.pth')
    _save(folder / 'rank1.pth')
    assert checkpoint_problem(str(folder)) is None
    _truncate(folder / 'rank1.pth')
    assert checkpoint_problem(str(folder)).startswith('rank1.pth')


def test_auto_resume_takes_the_named_checkpoint(tmp_path):
    now = time.time()
    older = _save(tmp_path / 'iter_2.pth', mtime=now - 20)
    _save(tmp_path / 'iter_4.pth', mtime=now - 10)
    write_text_atomic(str(tmp_path / 'last_checkpoint'), older)
    assert find_resumable_checkpoint(str(tmp_path)) == older


def test_auto_resume_skips_a_truncated_checkpoint(tmp_path):
    """What a non-atomic writer killed mid-save leaves: the newest file is
    cut short (and last_checkpoint may already name it)."""
    now = time.time()
    previous = _save(tmp_path / 'iter_2.pth', mtime=now - 20)
    newest = _save(tmp_path / 'iter_4.pth', mtime=now - 10)
    _truncate(newest)
    write_text_atomic(str(tmp_path / 'last_checkpoint'), newest)
    assert find_resumable_checkpoint(str(tmp_path)) == previous


def test_auto_resume_never_picks_a_partial_file(tmp_path):
    now = time.time()
    previous = _save(tmp_path / 'iter_2.pth', mtime=now - 20)
    write_text_atomic(str(tmp_path / 'last_checkpoint'), previous)
    # a complete-looking partial file, newer than anything else
    _save(partial_name(str(tmp_path / 'iter_4.pth')), mtime=now)
    assert find_resumable_checkpoint(str(tmp_path)) == previous
    (tmp_path / 'last_checkpoint').write_text('')  # an empty record
    assert find_resumable_checkpoint(str(tmp_path)) == previous


def test_moved_work_dir_and_nothing_to_resume(tmp_path):
    moved = tmp_path / 'moved'
    moved.mkdir()
    _save(moved / 'epoch_3.pth')
    (moved / 'last_checkpoint').write_text('/elsewhere/run/epoch_3.pth')
    assert find_resumable_checkpoint(str(moved)) == str(moved / 'epoch_3.pth')
    empty = tmp_path / 'empty'
    empty.mkdir()
    assert find_resumable_checkpoint(str(empty)) is None
    _truncate(_save(empty / 'epoch_1.pth'))
    assert find_resumable_checkpoint(str(empty)) is None


def test_commit_replaces_atomically_and_partials_are_cleaned(tmp_path):
    final = str(tmp_path / 'epoch_1.pth')
    _save(final, value=1.0)
    partial = partial_name(final)
    assert osp.basename(partial) == '.epoch_1.pth.partial'
    _save(partial, value=2.0)
    assert torch.load(final)['state_dict']['w'][0] == 1.0
    commit(partial, final)
    assert not osp.exists(partial)
    assert torch.load(final)['state_dict']['w'][0] == 2.0
    _save(partial_name(str(tmp_path / 'epoch_2.pth')))
    remove_partials(str(tmp_path))
    assert sorted(os.listdir(tmp_path)) == ['epoch_1.pth']
