"""Datasets of video files listed in an annotation file."""
import os.path as osp
from typing import Callable, Dict, List, Optional, Sequence, Tuple, Union

from mmengine.dataset import BaseDataset
from mmengine.logging import MMLogger

from vmae_mm.registry import DATASETS
from .repeated_sampling import split_at_decode
from .transforms.loading import VideoDecodeError


@DATASETS.register_module()
class VideoDataset(BaseDataset):
    """Videos listed one per line as ``relative/path label``.

    This is the list format of VideoMAE and mmaction2 (``tools/data/
    build_file_list.py`` writes it from the official SSv2, Kinetics, UCF101
    and HMDB51 annotations). Paths are joined to ``data_prefix['video']``.

    A video that cannot be decoded (corrupt or truncated) is logged with its
    path and replaced by another random sample during training (at most
    ``max_refetch`` tries); in test mode it is an error, so no video silently
    drops out of an evaluation. A missing file is always an error: it means
    the list or the prefix is wrong.

    With ``num_sample > 1`` (repeated sampling, training only) a video is
    opened, sampled and decoded once and the rest of the pipeline (everything
    after the decode transform) runs ``num_sample`` times on copies of the
    frames, so one item is a list of ``num_sample`` independently augmented
    clips of the same frames; use ``collate_fn=dict(type=
    'vmae_mm.multi_sample_collate')`` to flatten them into the batch.

    Args:
        ann_file (str): The annotation list.
        pipeline (Sequence[dict | Callable]): Transforms.
        data_prefix (dict): ``dict(video=ROOT)``. Defaults to
            ``dict(video='')``.
        test_mode (bool): Evaluation mode. Defaults to False.
        delimiter (str): Field separator. Defaults to ``' '``.
        max_refetch (int): Replacement tries for undecodable videos.
            Defaults to 10.
        lazy_init (bool): Defer reading the list. Defaults to False.
        num_sample (int): Augmented clips per decoded video. Defaults to 1.
    """

    def __init__(self,
                 ann_file: str,
                 pipeline: Sequence[Union[dict, Callable]],
                 data_prefix: Optional[Dict[str, str]] = None,
                 test_mode: bool = False,
                 delimiter: str = ' ',
                 max_refetch: int = 10,
                 lazy_init: bool = False,
                 num_sample: int = 1) -> None:
        if num_sample < 1:
            raise ValueError(f'num_sample must be >= 1, got {num_sample}')
        if num_sample > 1 and test_mode:
            raise ValueError('num_sample > 1 (repeated sampling) is for '
                             'training; test views come from the pipeline '
                             '(num_clips, ThreeCrop)')
        self.delimiter = delimiter
        self.num_sample = num_sample
        self.num_skipped = 0
        self._skipped_files: set = set()
        super().__init__(ann_file=ann_file,
                         data_prefix=data_prefix or dict(video=''),
                         pipeline=pipeline,
                         test_mode=test_mode,
                         max_refetch=max_refetch,
                         lazy_init=lazy_init)
        if num_sample > 1:
            self._decode, self._augment = split_at_decode(self.pipeline)

    def _read_rows(self, fields: Sequence[str],
                   hint: str) -> List[Tuple[str, List[int]]]:
        """The annotation list's rows as ``(path, integers)``.

        Each line is a path (which may contain the delimiter) followed by
        ``len(fields) - 1`` integer fields; blank lines are skipped.

        Args:
            fields (Sequence[str]): Field names, for error messages, e.g.
                ``('path', 'label')``.
            hint (str): How to make the file, for the not-found error.

        Raises:
            FileNotFoundError: The list does not exist.
            ValueError: A malformed line (file and line number named), or
                no rows at all.
        """
        if not osp.isfile(self.ann_file):
            raise FileNotFoundError(
                f'annotation file not found: {self.ann_file} (set ann_file '
                f'in the dataset config; {hint} writes it)')
        num_ints = len(fields) - 1
        rows = []
        with open(self.ann_file) as f:
            for line_no, line in enumerate(f, start=1):
                parts = line.strip().split(self.delimiter)
                if parts == ['']:
                    continue
                where = f'{self.ann_file}:{line_no}'
                if len(parts) <= num_ints:
                    raise ValueError(f'{where}: expected "{" ".join(fields)}"'
                                     f', got {line.strip()!r}')
                try:
                    ints = [int(v) for v in parts[-num_ints:]]
                except ValueError:
                    raise ValueError(
                        f'{where}: {" and ".join(fields[1:])} must be '
                        f'integers, got {line.strip()!r}') from None
                rows.append((self.delimiter.join(parts[:-num_ints]), ints))
        if not rows:
            raise ValueError(f'annotation file {self.ann_file} lists nothing')
        return rows

    def load_data_list(self) -> List[dict]:
        """Parse ``path label`` lines."""
        root = self.data_prefix.get('video', '')
        return [
            dict(filename=osp.join(root, path), label=label)
            for path, (label, ) in self._read_rows(
                ('path', 'label'), 'tools/data/build_file_list.py')
        ]

    def _prepare_samples(self, idx: int) -> Optional[List[dict]]:
        """Decode sample ``idx`` once; augment and pack it ``num_sample``
        times, each time from a fresh copy of the decoded frames."""
        decoded = self._decode(self.get_data_info(idx))
        if decoded is None:
            return None
        samples = []
        for _ in range(self.num_sample):
            packed = self._augment(dict(decoded, imgs=decoded['imgs'].copy()))
            if packed is None:
                return None
            samples.append(packed)
        return samples

    def prepare_data(self, idx: int) -> Union[dict, List[dict], None]:
        """Run the pipeline on sample ``idx``: a packed dict, or a list of
        ``num_sample`` of them; None (resample) if its video cannot be
        decoded during training."""
        try:
            if self.num_sample == 1:
                return super().prepare_data(idx)
            return self._prepare_samples(idx)
        except VideoDecodeError as err:
            if self.test_mode:
                raise
            self.num_skipped += 1
            if err.filename not in self._skipped_files:
                self._skipped_files.add(err.filename)
                MMLogger.get_current_instance().warning(
                    f'skipping an undecodable video ({err}); '
                    f'{self.num_skipped} skip(s) so far in this worker')
            return None
