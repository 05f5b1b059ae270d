"""tools/visualize/show_masks.py on real mp4 files, with and without a
checkpoint from a real (tiny) training run."""
import json
import os.path as osp

import cv2
import decord
import numpy as np

from vmae_mm.registry import MASK_GENERATORS
from vmae_mm.visualization import GridLayout

from ..conftest import REPO_ROOT, TINY_PRETRAIN_CONFIG, run_tool

QUICK_START = osp.join(REPO_ROOT, 'configs', 'vmae_vitt_synthetic.py')
TOOL = 'tools/visualize/show_masks.py'
#: The strategies the tool's process registers (tests may register more in
#: this one).
PACKAGE_STRATEGIES = sorted(
    name for name, cls in MASK_GENERATORS.module_dict.items()
    if cls.__module__.startswith('vmae_mm.'))


def read_rgb(path: str) -> np.ndarray:
    image = cv2.imread(path)
    assert image is not None, f'{path} is not a readable image'
    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB)


def tiles(image, layout, row):
    """The frames of ``row``, ``(T, h, w, 3)``."""
    out = []
    for col in range(layout.num_frames):
        y0, x0, y1, x1 = layout.tile_box(row, col)
        out.append(image[y0:y1, x0:x1])
    return np.stack(out)


def pixel_mask(mask, tubelet, patch):
    """Token mask ``(T', H', W')`` (lists) -> pixel mask ``(T, H, W)``."""
    mask = np.asarray(mask, dtype=bool)
    return mask.repeat(tubelet, 0).repeat(patch, 1).repeat(patch, 2)


def check_masked_and_visible(drawn, original, masked):
    """Visible pixels equal, every pixel of a masked patch differs."""
    np.testing.assert_array_equal(drawn[~masked], original[~masked])
    assert masked.any() and (drawn[masked] != original[masked]).any(-1).all()


def test_masks_of_every_strategy_over_a_real_clip(tmp_path, make_video):
    video = make_video('clip.mp4', num_frames=40, size=(64, 64))
    out = tmp_path / 'out'
    result = run_tool([TOOL, QUICK_START, '--video', video, '--out',
                       str(out), '--seed', '3'])
    assert result.returncode == 0, result.stderr[-3000:]
    assert f'wrote {out / "masks.png"}' in result.stdout
    assert not (out / 'reconstruction.png').exists()

    record = json.loads((out / 'masks.json').read_text())
    # 16 frames at stride 2 (the config's sampling), the centre clip of 40.
    assert record['frame_inds'] == list(range(4, 36, 2))
    assert record['grid'] == [8, 4, 4] and record['scale'] == 3
    labels = [row['label'].split('\n')[0] for row in record['rows']]
    assert labels == ['configured'] + PACKAGE_STRATEGIES

    image = read_rgb(str(out / 'masks.png'))
    layout = GridLayout(1 + len(labels), 16, 192, 192, tubelet_size=2)
    assert image.shape == layout.shape
    decoded = decord.VideoReader(video).get_batch(
        record['frame_inds']).asnumpy()
    original = decoded.repeat(3, 1).repeat(3, 2)  # nearest-neighbour x3
    np.testing.assert_array_equal(tiles(image, layout, 0), original)
    for r, row in enumerate(record['rows'], start=1):
        masked = pixel_mask(row['mask'], 2, 16 * 3)
        check_masked_and_visible(tiles(image, layout, r), original, masked)
    # The configured tube mask hides 90% of the tokens, the same spatial
    # positions in every temporal slot.
    tube = np.asarray(record['rows'][0]['mask'])
    assert tube.sum() == 8 * int(0.9 * 16)  # 14 of 16 in each slot
    assert (tube == tube[:1]).all()


def test_reconstruction_grid_from_a_trained_checkpoint(tmp_path, make_video,
                                                       synthetic_root):
    work_dir = tmp_path / 'train'
    trained = run_tool([
        'tools/train.py', TINY_PRETRAIN_CONFIG, '--work-dir', str(work_dir),
        '--cfg-options',
        f'train_dataloader.dataset.data_root={synthetic_root}'
    ])
    assert trained.returncode == 0, trained.stderr[-3000:]
    video = make_video('clip.mp4', num_frames=36, size=(96, 96))
    out = tmp_path / 'out'
    result = run_tool([TOOL, TINY_PRETRAIN_CONFIG, '--video', video, '--out',
                       str(out), '--checkpoint',
                       str(work_dir / 'epoch_1.pth'), '--strategies',
                       'configured'])
    assert result.returncode == 0, result.stderr[-3000:]

    record = json.loads((out / 'masks.json').read_text())
    assert len(record['rows']) == 1 and record['grid'] == [8, 2, 2]
    scale = record['scale']
    assert scale == 5  # 32-pixel frames scaled to 160
    masks_image = read_rgb(str(out / 'masks.png'))
    clip = tiles(masks_image, GridLayout(2, 16, 160, 160, 2), 0)

    image = read_rgb(str(out / 'reconstruction.png'))
    layout = GridLayout(3, 16, 160, 160, tubelet_size=2)
    assert image.shape == layout.shape
    original, masked_input, reconstruction = (tiles(image, layout, r)
                                              for r in range(3))
    np.testing.assert_array_equal(original, clip)
    # The reconstruction uses the configured mask under the same seed.
    masked = pixel_mask(record['rows'][0]['mask'], 2, 16 * scale)
    check_masked_and_visible(masked_input, original, masked)
    np.testing.assert_array_equal(reconstruction[~masked], original[~masked])
    # Predicted patches are neither the grey of the masked input nor blank.
    predicted = reconstruction[masked].reshape(-1, 3).astype(int)
    assert (predicted != masked_input[masked].reshape(-1, 3)).any(-1).mean() \
        > 0.9
    assert predicted.std() > 1


def test_missing_video_is_one_line(tmp_path):
    missing = str(tmp_path / 'none.mp4')
    result = run_tool([TOOL, QUICK_START, '--video', missing, '--out',
                       str(tmp_path / 'out')])
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and missing in lines[0], result.stderr
