"""Laying out rows of frames, one labelled row per picture, into one image."""
from dataclasses import dataclass
from typing import Optional, Sequence, Tuple

import cv2
import numpy as np

BACKGROUND = (24, 24, 24)
TEXT_COLOR = (235, 235, 235)
FONT = cv2.FONT_HERSHEY_SIMPLEX
FONT_SCALE = 0.45
LINE_HEIGHT = 16


@dataclass(frozen=True)
class GridLayout:
    """Where every tile of a grid image lies.

    Rows are labelled on the left; frames run left to right, with a wider
    gap between tubelets (frames that share one token) than inside one.
    A header line above the first row names the frames.

    Args:
        num_rows (int): Rows (one picture each).
        num_frames (int): Frames per row.
        tile_height (int): Frame height in the image, pixels.
        tile_width (int): Frame width in the image, pixels.
        tubelet_size (int): Frames per tubelet. Defaults to 1.
        label_width (int): Width of the label column. Defaults to 200.
        header_height (int): Height of the frame-name line. Defaults to 20.
        frame_gap (int): Gap between frames of one tubelet. Defaults to 2.
        tubelet_gap (int): Gap between tubelets. Defaults to 8.
        row_gap (int): Gap between rows. Defaults to 8.
        margin (int): Border around everything. Defaults to 8.
    """

    num_rows: int
    num_frames: int
    tile_height: int
    tile_width: int
    tubelet_size: int = 1
    label_width: int = 200
    header_height: int = 20
    frame_gap: int = 2
    tubelet_gap: int = 8
    row_gap: int = 8
    margin: int = 8

    def column_x(self, col: int) -> int:
        """Left edge of frame ``col``."""
        tubelets = col // self.tubelet_size
        inside = col - tubelets
        return (self.margin + self.label_width + col * self.tile_width +
                inside * self.frame_gap + tubelets * self.tubelet_gap)

    def row_y(self, row: int) -> int:
        """Top edge of row ``row``."""
        return (self.margin + self.header_height + row *
                (self.tile_height + self.row_gap))

    def tile_box(self, row: int, col: int) -> Tuple[int, int, int, int]:
        """``(y0, x0, y1, x1)`` of frame ``col`` in row ``row`` (end
        exclusive)."""
        y, x = self.row_y(row), self.column_x(col)
        return y, x, y + self.tile_height, x + self.tile_width

    @property
    def shape(self) -> Tuple[int, int, int]:
        """``(height, width, 3)`` of the image."""
        height = self.row_y(self.num_rows) - self.row_gap + self.margin
        width = self.column_x(self.num_frames - 1) + self.tile_width + \
            self.margin
        return height, width, 3


def _put_lines(image: np.ndarray, lines: Sequence[str], x: int,
               y: int) -> None:
    for i, line in enumerate(lines):
        cv2.putText(image, line, (x, y + (i + 1) * LINE_HEIGHT - 4), FONT,
                    FONT_SCALE, TEXT_COLOR, 1, cv2.LINE_AA)


def compose_grid(rows: Sequence[Tuple[str, np.ndarray]],
                 tubelet_size: int = 1,
                 frame_names: Optional[Sequence[str]] = None
                 ) -> Tuple[np.ndarray, GridLayout]:
    """Put rows of frames into one labelled image.

    Args:
        rows (Sequence[tuple[str, ndarray]]): ``(label, frames)`` per row,
            frames uint8 RGB ``(T, H, W, 3)``, the same shape in every row;
            a label may hold several lines separated by ``'\\n'``.
        tubelet_size (int): Frames per tubelet, for the gaps. Defaults to 1.
        frame_names (Sequence[str], optional): One name per frame for the
            header (e.g. the frame indices in the video). Defaults to None.

    Returns:
        tuple[ndarray, GridLayout]: The uint8 RGB image and its layout.

    Raises:
        ValueError: If there are no rows or the rows' frames differ in shape.
    """
    if not rows:
        raise ValueError('compose_grid needs at least one row')
    shapes = {frames.shape for _, frames in rows}
    if len(shapes) != 1 or len(next(iter(shapes))) != 4:
        raise ValueError(f'every row needs frames of one (T, H, W, 3) shape, '
                         f'got {sorted(shapes)}')
    T, H, W, _ = rows[0][1].shape
    layout = GridLayout(len(rows), T, H, W, tubelet_size)
    image = np.empty(layout.shape, dtype=np.uint8)
    image[...] = BACKGROUND
    if frame_names is not None:
        for col, name in enumerate(frame_names[:T]):
            _put_lines(image, [str(name)], layout.column_x(col),
                       layout.margin)
    for row, (label, frames) in enumerate(rows):
        _put_lines(image, label.split('\n'), layout.margin, layout.row_y(row))
        for col in range(T):
            y0, x0, y1, x1 = layout.tile_box(row, col)
            image[y0:y1, x0:x1] = frames[col]
    return image, layout


def write_png(path: str, image: np.ndarray) -> str:
    """Write a uint8 RGB image as PNG.

    Raises:
        OSError: If OpenCV cannot write the file.
    """
    if not cv2.imwrite(path, cv2.cvtColor(image, cv2.COLOR_RGB2BGR)):
        raise OSError(f'cannot write {path}: check that its folder exists '
                      'and is writable')
    return path
