"""The position of a training run that mmengine's checkpoints leave out:
where in the epoch it stopped and every process's random generators.

mmengine restores the model, optimizer (grad scaler included), schedulers,
message hub and hook state (EMA) on resume, but restarts an interrupted
epoch from its first batch and reseeds the generators. The state captured
here, stored in ``checkpoint['meta']['train_state']``, closes that gap:
with ``ResumableSampler`` and ``ResumableEpochBasedTrainLoop`` a resumed
run continues with the batch and the random draws it would have made.
"""
from typing import Optional

from mmengine.dist import all_gather_object, get_rank
from mmengine.logging import MMLogger
from mmengine.runner import BaseLoop

from .loops import ResumableEpochBasedTrainLoop
from .rng import set_rng_state, training_rng_state
from .samplers import ResumableSampler

VERSION = 1


def capture_train_state(runner, epoch: int, iteration: int) -> Optional[dict]:
    """The run's position, for a checkpoint being written. A collective
    call: every process must make it (the generators are gathered).

    Args:
        runner (Runner): The runner, with its train loop built.
        epoch (int): Completed epochs, as the checkpoint's meta records.
        iteration (int): Completed iterations, likewise.

    Returns:
        dict | None: ``epoch``, ``batches`` (batches of ``epoch`` done per
        process), ``consumed_samples`` (all processes), ``world_size``,
        ``batch_size``, ``dataset_size`` and ``rng`` (one state per rank);
        None outside training.
    """
    if not isinstance(runner._train_loop, BaseLoop):
        return None
    loader = runner.train_dataloader
    batches = iteration - epoch * len(loader)
    world_size = runner.world_size
    return dict(
        version=VERSION,
        epoch=epoch,
        batches=batches,
        consumed_samples=batches * loader.batch_size * world_size,
        world_size=world_size,
        batch_size=loader.batch_size,
        dataset_size=len(loader.dataset),
        rng=all_gather_object(training_rng_state()),
    )


def apply_train_state(runner, state: Optional[dict], checkpoint: str) -> None:
    """Point the sampler, the loop and the generators at a checkpoint's
    position (after ``Runner.resume`` restored everything else).

    Args:
        runner (Runner): The runner being resumed.
        state (dict, optional): From :func:`capture_train_state`; None for a
            checkpoint written without it (the epoch restarts and the
            generators stay freshly seeded, mmengine's behaviour).
        checkpoint (str): Its file, for messages.

    Raises:
        ValueError: The checkpoint was taken mid-epoch with another number
            of processes, batch size or dataset.
    """
    logger = MMLogger.get_current_instance()
    if state is None:
        logger.warning(f'{checkpoint} records no sampler position or random '
                       'state: the resumed run will not repeat the original')
        return
    loader = runner.train_dataloader
    layout = (state['world_size'], state['batch_size'], state['dataset_size'])
    same_layout = layout == (runner.world_size, loader.batch_size,
                             len(loader.dataset))
    loop, sampler = runner.train_loop, loader.sampler
    exact = (isinstance(sampler, ResumableSampler)
             and isinstance(loop, ResumableEpochBasedTrainLoop))
    start_batch = 0
    if state['batches'] > 0:
        if not same_layout:
            raise ValueError(
                f'{checkpoint} was saved mid-epoch (epoch {state["epoch"] + 1}'
                f', batch {state["batches"]}) by {layout[0]} processes x '
                f'{layout[1]} clips over {layout[2]} videos; resume it with '
                'the same processes, batch and dataset, or resume from an '
                'end-of-epoch checkpoint')
        if exact:
            sampler.resume_at(state['epoch'], state['consumed_samples'])
            start_batch = state['batches']
        else:
            logger.warning(
                f'{checkpoint} was saved mid-epoch but the config uses '
                f'{type(sampler).__name__} / {type(loop).__name__}: epoch '
                f'{state["epoch"] + 1} restarts from its first batch. Use '
                "sampler=dict(type='ResumableSampler') and train_cfg=dict("
                "type='ResumableEpochBasedTrainLoop') to resume exactly")
    rng = None
    if len(state['rng']) == runner.world_size:
        rng = state['rng'][get_rank()]
    else:
        logger.warning(f'{checkpoint} holds the random state of '
                       f'{len(state["rng"])} processes, not '
                       f'{runner.world_size}: generators stay freshly seeded')
    if isinstance(loop, ResumableEpochBasedTrainLoop):
        loop.resume_at(start_batch, rng)
    elif rng is not None:
        set_rng_state(rng)
    logger.info(f'resuming epoch {state["epoch"] + 1} after batch '
                f'{start_batch} ({start_batch * layout[1] * layout[0]} '
                f'clips), random state {"restored" if rng else "reseeded"}')
