"""Parsing the official annotations of SSv2, Kinetics-400, UCF101 and
HMDB51 into ``(relative_path, label)`` lists and class-name lists.

These functions only read; ``tools/data/build_file_list.py`` writes the
``relative/path label`` lists (the VideoMAE and mmaction2 format) and the
label maps. Malformed input raises :class:`AnnotationError` naming the file
and the line (or JSON entry).
"""
import csv
import json
import os
import os.path as osp
import re
from typing import Dict, List, Sequence, Tuple

#: ``[(relative_path, label), ...]``
FileList = List[Tuple[str, int]]


class AnnotationError(ValueError):
    """An annotation file is missing or malformed."""


def _read_lines(path: str) -> List[str]:
    if not osp.isfile(path):
        raise AnnotationError(f'annotation file not found: {path}')
    with open(path, newline='') as f:
        return f.read().splitlines()


def _load_json(path: str):
    if not osp.isfile(path):
        raise AnnotationError(f'annotation file not found: {path}')
    with open(path) as f:
        try:
            return json.load(f)
        except json.JSONDecodeError as err:
            raise AnnotationError(f'{path}:{err.lineno}:{err.colno}: invalid '
                                  f'JSON: {err.msg}') from None


# --------------------------------------------------------------------- SSv2
def load_ssv2_classes(labels_file: str) -> List[str]:
    """Class names of ``labels.json`` (``{"Approaching something with your
    camera": "0", ...}``), indexed by their official id.

    Raises:
        AnnotationError: Not a name -> id mapping, or ids that are not
            ``0 .. K-1`` each once.
    """
    mapping = _load_json(labels_file)
    if not isinstance(mapping, dict) or not mapping:
        raise AnnotationError(f'{labels_file}: expected a JSON object '
                              'mapping class names to ids')
    names: Dict[int, str] = {}
    for name, value in mapping.items():
        try:
            class_id = int(value)
        except (TypeError, ValueError):
            raise AnnotationError(f'{labels_file}: class {name!r} has a '
                                  f'non-integer id {value!r}') from None
        if class_id in names:
            raise AnnotationError(f'{labels_file}: id {class_id} is used by '
                                  f'{names[class_id]!r} and {name!r}')
        names[class_id] = name
    if sorted(names) != list(range(len(names))):
        missing = sorted(set(range(len(names))) - set(names))
        raise AnnotationError(f'{labels_file}: class ids must be 0..'
                              f'{len(names) - 1}; missing {missing[:5]}')
    return [names[i] for i in range(len(names))]


def ssv2_template_to_class(template: str) -> str:
    """``'Putting [something] on [something]'`` -> ``'Putting something on
    something'``: the official label lookup drops the brackets."""
    return template.replace('[', '').replace(']', '')


def parse_ssv2(ann_file: str, classes: Sequence[str],
               video_ext: str = 'webm') -> FileList:
    """Parse ``something-something-v2-{train,validation}.json``.

    Entries are ``{"id": "78687", "label": ..., "template": "Holding
    [something] next to [something]", "placeholders": [...]}``; the class is
    the template without brackets, looked up in ``classes`` (from
    ``labels.json``); the video is ``{id}.{video_ext}``.

    Args:
        ann_file (str): The JSON list.
        classes (Sequence[str]): Class names by id (:func:`load_ssv2_classes`).
        video_ext (str): Video extension. Defaults to ``'webm'`` (the
            official files; VideoMAE re-encodes them to ``mp4``).

    Returns:
        list[tuple[str, int]]: ``(f'{id}.{video_ext}', class_id)``.
    """
    entries = _load_json(ann_file)
    if not isinstance(entries, list):
        raise AnnotationError(f'{ann_file}: expected a JSON list of videos')
    class_ids = {name: i for i, name in enumerate(classes)}
    items: FileList = []
    for index, entry in enumerate(entries):
        where = f'{ann_file}: entry {index}'
        if not isinstance(entry, dict) or 'id' not in entry:
            raise AnnotationError(f'{where}: expected an object with "id" '
                                  f'and "template", got {entry!r:.80}')
        if 'template' not in entry:
            raise AnnotationError(
                f'{where} (id {entry["id"]}): no "template"; the test split '
                'has no labels and cannot be listed for training')
        name = ssv2_template_to_class(entry['template'])
        if name not in class_ids:
            raise AnnotationError(f'{where} (id {entry["id"]}): class '
                                  f'{name!r} is not in labels.json')
        items.append((f'{entry["id"]}.{video_ext}', class_ids[name]))
    return items


# ------------------------------------------------------------- Kinetics-400
_KINETICS_COLUMNS = ('label', 'youtube_id', 'time_start', 'time_end')


def _kinetics_rows(csv_file: str) -> List[Tuple[int, Dict[str, str]]]:
    """``(line number, row)`` pairs of a Kinetics CSV with a header."""
    lines = _read_lines(csv_file)
    reader = csv.reader(lines)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise AnnotationError(f'{csv_file}: empty file') from None
    missing = [c for c in _KINETICS_COLUMNS if c not in header]
    if missing:
        raise AnnotationError(
            f'{csv_file}:1: header {header} lacks columns {missing}; '
            'expected label,youtube_id,time_start,time_end,split')
    rows = []
    for line_no, fields in enumerate(reader, start=2):
        if not fields:
            continue
        if len(fields) != len(header):
            raise AnnotationError(
                f'{csv_file}:{line_no}: {len(fields)} fields, the header '
                f'has {len(header)}: {",".join(fields)!r}')
        rows.append((line_no, dict(zip(header, fields))))
    return rows


def kinetics_class_name(label: str) -> str:
    """A Kinetics label as written in the CSV, without stray quotes."""
    return label.replace('"', '').strip()


def load_kinetics_classes(csv_file: str) -> List[str]:
    """The sorted class names of a Kinetics CSV (the training one): class
    ids are positions in this list, the mmaction2 / VideoMAE convention."""
    names = {kinetics_class_name(row['label'])
             for _, row in _kinetics_rows(csv_file)}
    if not names:
        raise AnnotationError(f'{csv_file}: no videos')
    return sorted(names)


def kinetics_clip_name(youtube_id: str, start: int, end: int,
                       video_ext: str = 'mp4') -> str:
    """``{youtube_id}_{start:06d}_{end:06d}.{ext}``, the clip file name."""
    return f'{youtube_id}_{start:06d}_{end:06d}.{video_ext}'


def kinetics_class_dir(name: str, keep_whitespace: bool = False) -> str:
    """Folder of a class: spaces become underscores unless kept
    (mmaction2's layout)."""
    return name if keep_whitespace else name.replace(' ', '_')


def parse_kinetics(csv_file: str, classes: Sequence[str],
                   class_dirs: bool = False, keep_whitespace: bool = False,
                   video_ext: str = 'mp4') -> FileList:
    """Parse a Kinetics ``train.csv`` / ``val.csv``.

    Args:
        csv_file (str): CSV with header ``label,youtube_id,time_start,
            time_end,split`` (extra columns such as ``is_cc`` are ignored).
        classes (Sequence[str]): Class names by id
            (:func:`load_kinetics_classes` of the training CSV).
        class_dirs (bool): Clips are in one folder per class
            (``{class_dir}/{clip}``) rather than flat. Defaults to False.
        keep_whitespace (bool): Class folders keep spaces. Defaults to
            False (underscores).
        video_ext (str): Clip extension. Defaults to ``'mp4'``.

    Returns:
        list[tuple[str, int]]: ``(relative_path, class_id)``.
    """
    class_ids = {name: i for i, name in enumerate(classes)}
    items: FileList = []
    for line_no, row in _kinetics_rows(csv_file):
        where = f'{csv_file}:{line_no}'
        name = kinetics_class_name(row['label'])
        if name not in class_ids:
            raise AnnotationError(f'{where}: class {name!r} is not among the '
                                  f'{len(classes)} training classes')
        try:
            start = int(float(row['time_start']))
            end = int(float(row['time_end']))
        except ValueError:
            raise AnnotationError(
                f'{where}: time_start/time_end must be numbers, got '
                f'{row["time_start"]!r}, {row["time_end"]!r}') from None
        youtube_id = row['youtube_id'].strip()
        if not youtube_id:
            raise AnnotationError(f'{where}: empty youtube_id')
        path = kinetics_clip_name(youtube_id, start, end, video_ext)
        if class_dirs:
            path = f'{kinetics_class_dir(name, keep_whitespace)}/{path}'
        items.append((path, class_ids[name]))
    return items


# ------------------------------------------------------------------- UCF101
def load_ucf101_classes(class_ind_file: str) -> List[str]:
    """Class names of ``classInd.txt`` (``1 ApplyEyeMakeup`` ...), indexed
    from 0 (the file counts from 1)."""
    names: Dict[int, str] = {}
    for line_no, line in enumerate(_read_lines(class_ind_file), start=1):
        fields = line.split()
        if not fields:
            continue
        if len(fields) != 2 or not fields[0].isdigit():
            raise AnnotationError(f'{class_ind_file}:{line_no}: expected '
                                  f'"index ClassName", got {line!r}')
        names[int(fields[0]) - 1] = fields[1]
    if sorted(names) != list(range(len(names))) or not names:
        raise AnnotationError(f'{class_ind_file}: class indices must run '
                              f'1..{len(names)} without gaps')
    return [names[i] for i in range(len(names))]


def parse_ucf101(split_file: str, classes: Sequence[str]) -> FileList:
    """Parse ``trainlist0N.txt`` (``Class/v_..avi 1``-based label) or
    ``testlist0N.txt`` (path only); the class is the path's folder, checked
    against the label where one is given.

    Returns:
        list[tuple[str, int]]: ``(relative_path, class_id)``, ids from 0.
    """
    class_ids = {name: i for i, name in enumerate(classes)}
    items: FileList = []
    for line_no, line in enumerate(_read_lines(split_file), start=1):
        fields = line.split()
        if not fields:
            continue
        where = f'{split_file}:{line_no}'
        path = fields[0]
        folder = path.split('/')[0]
        if len(fields) > 2 or '/' not in path or folder not in class_ids:
            raise AnnotationError(f'{where}: expected "ClassName/video.avi '
                                  f'[label]" with a class of classInd.txt, '
                                  f'got {line!r}')
        class_id = class_ids[folder]
        if len(fields) == 2:
            if not fields[1].isdigit() or int(fields[1]) - 1 != class_id:
                raise AnnotationError(
                    f'{where}: label {fields[1]!r} does not match the folder '
                    f'{folder!r} (class {class_id + 1} in classInd.txt)')
        items.append((path, class_id))
    return items


# ------------------------------------------------------------------- HMDB51
_HMDB_SPLIT = re.compile(r'(.+)_test_split([123])\.txt$')


def hmdb51_split_files(split_dir: str, split: int) -> Dict[str, str]:
    """``{class_name: path}`` of the ``{class}_test_split{split}.txt`` files
    in ``split_dir``."""
    if not osp.isdir(split_dir):
        raise AnnotationError(f'HMDB51 split folder not found: {split_dir}')
    files = {}
    for name in sorted(os.listdir(split_dir)):
        match = _HMDB_SPLIT.match(name)
        if match and int(match.group(2)) == split:
            files[match.group(1)] = osp.join(split_dir, name)
    if not files:
        raise AnnotationError(f'{split_dir}: no *_test_split{split}.txt '
                              'files (testTrainMulti_7030_splits)')
    return files


def parse_hmdb51(split_dir: str, split: int
                 ) -> Tuple[FileList, FileList, List[str]]:
    """Parse one of HMDB51's three splits.

    Each ``{class}_test_split{split}.txt`` lists ``video.avi mark`` with mark
    1 = train, 2 = test, 0 = unused; class ids are positions in the sorted
    class names (the mmaction2 convention); videos are ``{class}/{video}``.

    Returns:
        tuple: ``(train, test, classes)``.
    """
    files = hmdb51_split_files(split_dir, split)
    classes = sorted(files)
    train: FileList = []
    test: FileList = []
    for class_id, name in enumerate(classes):
        path = files[name]
        for line_no, line in enumerate(_read_lines(path), start=1):
            fields = line.split()
            if not fields:
                continue
            if len(fields) != 2 or fields[1] not in ('0', '1', '2'):
                raise AnnotationError(f'{path}:{line_no}: expected '
                                      f'"video.avi 0|1|2", got {line!r}')
            if fields[1] == '1':
                train.append((f'{name}/{fields[0]}', class_id))
            elif fields[1] == '2':
                test.append((f'{name}/{fields[0]}', class_id))
    return train, test, classes
