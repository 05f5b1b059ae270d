"""Checkpoint files that are complete or absent, and finding the latest
complete one.

A checkpoint is first written to a hidden ``.NAME.partial`` file in the
same folder, flushed to disk, then renamed over ``NAME`` (a rename within a
folder is atomic on POSIX file systems), so a process killed while saving
leaves either the previous file or the new one, never a truncated one.
Auto-resume still checks what it picks, since files can also be damaged by
copies or full disks.
"""
import glob
import os
import os.path as osp
import zipfile
from typing import List, Optional

from mmengine.logging import MMLogger

PARTIAL_SUFFIX = '.partial'
LAST_CHECKPOINT = 'last_checkpoint'


def partial_name(filename: str) -> str:
    """Where ``filename`` is written before it is complete (hidden, and not
    a ``.pth`` name, so no checkpoint search can pick it)."""
    folder, name = osp.split(filename)
    return osp.join(folder, f'.{name}{PARTIAL_SUFFIX}')


def fsync_path(path: str) -> None:
    """Flush a file's (or a folder's) contents to disk."""
    flags = os.O_RDONLY
    if osp.isdir(path):
        flags |= getattr(os, 'O_DIRECTORY', 0)
    fd = os.open(path, flags)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def commit(partial: str, final: str) -> None:
    """Make a completely written ``partial`` file visible as ``final``:
    fsync it, rename it over ``final`` and fsync the folder so the rename
    survives a power loss."""
    fsync_path(partial)
    os.replace(partial, final)
    fsync_path(osp.dirname(osp.abspath(final)))


def write_text_atomic(path: str, text: str) -> None:
    """Replace the text file ``path`` atomically (``last_checkpoint``)."""
    partial = partial_name(path)
    with open(partial, 'w') as f:
        f.write(text)
    commit(partial, path)


def remove_partials(folder: str) -> None:
    """Delete ``.*.partial`` files left by saves that were killed."""
    for path in glob.glob(osp.join(folder, f'.*{PARTIAL_SUFFIX}')):
        os.remove(path)


def checkpoint_problem(path: str) -> Optional[str]:
    """Why ``path`` cannot be a complete torch checkpoint, or None if it can.

    A torch checkpoint is a zip archive whose central directory, written
    last, lists ``<name>/data.pkl``; a truncated file has no readable
    central directory. Reading the directory costs a few kilobytes,
    whatever the checkpoint's size. A folder (sharded checkpoints) must
    hold at least one ``.pth`` file, each of them complete.

    Args:
        path (str): A checkpoint file or folder.

    Returns:
        str | None: A short reason, e.g. ``'truncated or not a zip
        archive'``.
    """
    if osp.isdir(path):
        shards = sorted(glob.glob(osp.join(path, '*.pth')))
        if not shards:
            return 'a folder without .pth shards'
        for shard in shards:
            problem = checkpoint_problem(shard)
            if problem:
                return f'{osp.basename(shard)}: {problem}'
        return None
    if not osp.isfile(path):
        return 'missing'
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError) as err:
        return f'truncated or not a zip archive ({err})'
    if not any(name.endswith('/data.pkl') or name == 'data.pkl'
               for name in names):
        return 'no data.pkl record'
    return None


def _named_in_last_checkpoint(work_dir: str) -> Optional[str]:
    record = osp.join(work_dir, LAST_CHECKPOINT)
    if not osp.isfile(record):
        return None
    with open(record) as f:
        named = f.read().strip()
    if named and not osp.exists(named) and osp.exists(
            osp.join(work_dir, osp.basename(named))):
        # The work dir was moved: last_checkpoint holds absolute paths.
        named = osp.join(work_dir, osp.basename(named))
    return named or None


def find_resumable_checkpoint(work_dir: str) -> Optional[str]:
    """The checkpoint auto-resume should use.

    The one named in ``work_dir/last_checkpoint`` if it is complete;
    otherwise, with a warning, the newest complete ``*.pth`` (by
    modification time) in the work dir or in the named checkpoint's folder.

    Args:
        work_dir (str): The run's work dir.

    Returns:
        str | None: A checkpoint path, or None if there is no complete one.
    """
    logger = MMLogger.get_current_instance()
    named = _named_in_last_checkpoint(work_dir)
    folders = {osp.abspath(work_dir)}
    if named:
        folders.add(osp.dirname(osp.abspath(named)))
    found: List[str] = []
    for folder in folders:
        found += glob.glob(osp.join(folder, '*.pth'))
    named_abs = {osp.abspath(named)} if named else set()
    others = sorted({osp.abspath(p) for p in found} - named_abs,
                    key=osp.getmtime, reverse=True)
    candidates = ([named] if named else []) + others
    rejected = []
    for path in candidates:
        problem = checkpoint_problem(path)
        if problem is None:
            if rejected:
                logger.warning(
                    'not resuming from ' + '; '.join(rejected) +
                    f': resuming from {path}, the newest complete checkpoint')
            return path
        rejected.append(f'{path} ({problem})')
    if rejected:
        logger.warning('no complete checkpoint to resume in '
                       f'{work_dir}: ' + '; '.join(rejected))
    return None
