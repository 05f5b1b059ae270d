"""Grid layout: tiles land where the layout says, the image has its size."""
import cv2
import numpy as np
import pytest

from vmae_mm.visualization import GridLayout, compose_grid, write_png


def test_layout_is_consistent():
    layout = GridLayout(num_rows=3, num_frames=4, tile_height=10,
                        tile_width=12, tubelet_size=2)
    # Inside a tubelet the gap is frame_gap, between tubelets tubelet_gap.
    assert layout.column_x(1) - layout.column_x(0) == 12 + 2
    assert layout.column_x(2) - layout.column_x(1) == 12 + 8
    assert layout.row_y(1) - layout.row_y(0) == 10 + 8
    height, width, _ = layout.shape
    assert layout.tile_box(2, 3)[2] + layout.margin == height
    assert layout.tile_box(2, 3)[3] + layout.margin == width


def test_tiles_are_copied_exactly():
    rng = np.random.default_rng(0)
    rows = [(f'row {i}\nsecond line',
             rng.integers(0, 256, (4, 10, 12, 3), dtype=np.uint8))
            for i in range(3)]
    image, layout = compose_grid(rows, tubelet_size=2,
                                 frame_names=['#0', '#2', '#4', '#6'])
    assert image.shape == layout.shape and image.dtype == np.uint8
    for r, (_, frames) in enumerate(rows):
        for c in range(4):
            y0, x0, y1, x1 = layout.tile_box(r, c)
            np.testing.assert_array_equal(image[y0:y1, x0:x1], frames[c])
    # The labels are drawn: the label column is not blank.
    y0 = layout.row_y(0)
    label = image[y0:y0 + 30, layout.margin:layout.margin + 100]
    assert label.max() > 200


def test_rows_must_share_a_shape():
    with pytest.raises(ValueError, match='one \\(T, H, W, 3\\) shape'):
        compose_grid([('a', np.zeros((2, 4, 4, 3), np.uint8)),
                      ('b', np.zeros((2, 4, 5, 3), np.uint8))])
    with pytest.raises(ValueError, match='at least one row'):
        compose_grid([])


def test_write_png_round_trips_rgb(tmp_path):
    image = np.zeros((5, 7, 3), np.uint8)
    image[..., 0] = 200  # red
    path = write_png(str(tmp_path / 'a.png'), image)
    back = cv2.cvtColor(cv2.imread(path), cv2.COLOR_BGR2RGB)
    np.testing.assert_array_equal(back, image)
    with pytest.raises(OSError, match='cannot write'):
        write_png(str(tmp_path / 'missing' / 'a.png'), image)
