"""Datasets of videos extracted to folders of JPEG frames."""
import os.path as osp
from typing import Callable, Dict, List, Optional, Sequence, Union

from vmae_mm.registry import DATASETS
from .video_dataset import VideoDataset


@DATASETS.register_module()
class RawframeDataset(VideoDataset):
    """Folders of frames listed one per line as ``dir total_frames label``.

    mmaction2's rawframe list format; folders are joined to
    ``data_prefix['img']`` and frames are named by ``filename_tmpl`` counted
    from ``start_index`` (``img_00001.jpg`` ...). Decode them with
    ``RawFrameDecode`` after a frame sampler. Decoding JPEG frames with
    ``cv2.imdecode`` is many times faster than decoding the videos, so this
    is the path that keeps a fast model step fed.

    Undecodable samples (a missing or corrupt frame), repeated sampling
    (``num_sample``) and test mode behave as in :class:`VideoDataset`.

    Args:
        ann_file (str): The annotation list.
        pipeline (Sequence[dict | Callable]): Transforms.
        data_prefix (dict): ``dict(img=ROOT)``. Defaults to
            ``dict(img='')``.
        filename_tmpl (str): Frame file name with one ``{}`` field.
            Defaults to ``'img_{:05d}.jpg'``.
        start_index (int): Number of the first frame file. Defaults to 1.
        test_mode (bool): Evaluation mode. Defaults to False.
        delimiter (str): Field separator. Defaults to ``' '``.
        max_refetch (int): Replacement tries for undecodable samples.
            Defaults to 10.
        lazy_init (bool): Defer reading the list. Defaults to False.
        num_sample (int): Augmented clips per decoded video. Defaults to 1.
    """

    def __init__(self,
                 ann_file: str,
                 pipeline: Sequence[Union[dict, Callable]],
                 data_prefix: Optional[Dict[str, str]] = None,
                 filename_tmpl: str = 'img_{:05d}.jpg',
                 start_index: int = 1,
                 test_mode: bool = False,
                 delimiter: str = ' ',
                 max_refetch: int = 10,
                 lazy_init: bool = False,
                 num_sample: int = 1) -> None:
        try:
            filename_tmpl.format(start_index)
        except (IndexError, KeyError, ValueError) as err:
            raise ValueError(f'filename_tmpl {filename_tmpl!r} must format '
                             f'one frame number: {err}') from None
        self.filename_tmpl = filename_tmpl
        self.start_index = start_index
        super().__init__(ann_file=ann_file,
                         pipeline=pipeline,
                         data_prefix=data_prefix or dict(img=''),
                         test_mode=test_mode,
                         delimiter=delimiter,
                         max_refetch=max_refetch,
                         lazy_init=lazy_init,
                         num_sample=num_sample)

    def load_data_list(self) -> List[dict]:
        """Parse ``dir total_frames label`` lines."""
        root = self.data_prefix.get('img', '')
        rows = self._read_rows(('dir', 'total_frames', 'label'),
                               'tools/data/build_file_list.py --format '
                               'rawframes')
        data_list = []
        for folder, (total, label) in rows:
            if total < 1:
                raise ValueError(f'{self.ann_file}: {folder} has '
                                 f'total_frames {total}; it must be positive')
            data_list.append(
                dict(frame_dir=osp.join(root, folder),
                     total_frames=total,
                     label=label,
                     filename_tmpl=self.filename_tmpl,
                     start_index=self.start_index))
        return data_list
