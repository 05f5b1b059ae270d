"""vmae_mm's Runner."""
import os.path as osp
from typing import Callable, Dict, List, Optional, Union

from mmengine.dist import is_main_process
from mmengine.hooks import Hook
from mmengine.runner import Runner

from vmae_mm.registry import RUNNERS
from .compile import compile_model, why_not_compilable
from .ddp_comm import register_comm_hook
from .checkpoint_files import (checkpoint_problem, commit,
                               find_resumable_checkpoint, partial_name,
                               remove_partials)
from .hooks.deferred_runtime_info_hook import DeferredRuntimeInfoHook
from .hooks.flops_hook import FlopsCounterHook
from .hooks.portable_checkpoint_hook import PortableCheckpointHook
from .loader_workers import StopsLoaderWorkers
from .nonfinite_guard import install_nonfinite_guard, settle_nonfinite_guard
from .train_state import apply_train_state, capture_train_state

#: Used when a config has no ``nonfinite_guard`` key.
DEFAULT_NONFINITE_GUARD = dict(max_consecutive=5)


@RUNNERS.register_module()
class VMAERunner(StopsLoaderWorkers, Runner):
    """mmengine's Runner with what long vmae_mm runs rely on.

    - :class:`PortableCheckpointHook` is registered even when a config
      replaces ``custom_hooks``, so every checkpoint stays loadable with
      torch's safe ``weights_only=True`` loader.
    - :class:`FlopsCounterHook` is registered with the top-level
      ``flops_counter`` options (``default_runtime.py`` sets
      ``flops_counter = dict(interval=50)``; ``None`` turns it off), so a
      leaf config's own ``custom_hooks`` list does not drop it.
    - Checkpoints are written atomically (a hidden partial file, fsync,
      rename) and record the run's position (epoch, batch, every process's
      random generators; :mod:`vmae_mm.engine.train_state`), which
      :meth:`resume` restores.
    - Auto-resume (``resume=True`` without ``load_from``) takes the
      checkpoint named in ``last_checkpoint`` if it is complete, else the
      newest complete one, with a warning.
    - ``ddp_comm_hook='bf16'`` (or ``'fp16'``) all-reduces the gradients
      of a data-parallel run in half precision
      (:mod:`vmae_mm.engine.ddp_comm`).
    - The optimizer wrapper skips non-finite steps and stops a diverging
      run (:mod:`vmae_mm.engine.nonfinite_guard`), configured by the
      top-level ``nonfinite_guard`` key (``None`` turns it off).
    - When training, validation or testing ends, normally or not, the data
      loaders' worker processes are stopped, so the process exits at once
      (:mod:`vmae_mm.engine.loader_workers`).
    """

    def _maybe_compile(self, target: str) -> None:
        """``compile=True`` (or a dict of ``torch.compile`` options) compiles
        the bare model's training forward (:func:`compile_model`: its
        ``loss``; validation and testing stay eager), which stays fast
        under DistributedDataParallel; mmengine compiles ``target`` of the
        wrapper instead. On a GPU older than Triton supports (the official
        configs compile by default) it warns and trains eagerly."""
        compile_cfg = self.cfg.get('compile', None)
        if not compile_cfg:
            return
        reason = why_not_compilable()
        if reason:
            self.logger.warning(f'compile={compile_cfg!r} is skipped: '
                                f'{reason}; training eagerly (set '
                                'compile=False to silence this)')
            return
        compile_model(self.model, compile_cfg)
        self.logger.info('compiled the model\'s training forward; the '
                         'first iterations include compilation')

    def wrap_model(self, model_wrapper_cfg: Optional[Dict], model):
        """mmengine's wrapping, then the gradient all-reduce hook named by
        the top-level ``ddp_comm_hook`` key (:mod:`vmae_mm.engine.ddp_comm`;
        ``None``, the default, leaves fp32 buckets)."""
        model = super().wrap_model(model_wrapper_cfg, model)
        name = self.cfg.get('ddp_comm_hook', None)
        if register_comm_hook(model, name):
            self.logger.info(f'DDP gradients are all-reduced in {name}')
        return model

    def register_hooks(
            self,
            default_hooks: Optional[Dict[str, Union[Hook, Dict]]] = None,
            custom_hooks: Optional[List[Union[Hook, Dict]]] = None) -> None:
        super().register_hooks(default_hooks, custom_hooks)
        if not any(isinstance(h, PortableCheckpointHook) for h in self.hooks):
            self.register_hook(PortableCheckpointHook())
        flops_cfg = self.cfg.get('flops_counter', None)
        if flops_cfg is not None and not any(
                isinstance(h, FlopsCounterHook) for h in self.hooks):
            self.register_hook(FlopsCounterHook(**flops_cfg))

    def train(self):
        model = super().train()
        # the last step's non-finite verdict, if it skipped on the device
        settle_nonfinite_guard(self.optim_wrapper)
        return model

    def build_optim_wrapper(self, optim_wrapper):
        optim_wrapper = super().build_optim_wrapper(optim_wrapper)
        guard = self.cfg.get('nonfinite_guard', DEFAULT_NONFINITE_GUARD)
        if guard is not None:
            install_nonfinite_guard(optim_wrapper, **guard)
        return optim_wrapper

    def save_checkpoint(self,
                        out_dir: str,
                        filename: str,
                        file_client_args: Optional[dict] = None,
                        save_optimizer: bool = True,
                        save_param_scheduler: bool = True,
                        meta: Optional[dict] = None,
                        by_epoch: bool = True,
                        backend_args: Optional[dict] = None):
        """``Runner.save_checkpoint`` plus the run's position in
        ``meta['train_state']``, written atomically to local folders.

        Called on every process (the random states are gathered); rank 0
        writes. Logged values still on their way to the host are published
        first, so the saved message hub holds every iteration's.
        """
        for hook in self.hooks:
            if isinstance(hook, DeferredRuntimeInfoHook):
                hook.publish(self, wait=True)
        meta = dict(meta or {})
        if by_epoch:
            meta.setdefault('epoch', self.epoch + 1)
            meta.setdefault('iter', self.iter)
        else:
            meta.setdefault('epoch', self.epoch)
            meta.setdefault('iter', self.iter + 1)
        state = capture_train_state(self, meta['epoch'], meta['iter'])
        if state is not None:
            meta['train_state'] = state
        if not is_main_process():
            return
        kwargs = dict(file_client_args=file_client_args,
                      save_optimizer=save_optimizer,
                      save_param_scheduler=save_param_scheduler, meta=meta,
                      by_epoch=by_epoch, backend_args=backend_args)
        if file_client_args or backend_args or '://' in out_dir:
            # Remote storage: its backend writes the object as it can.
            return super().save_checkpoint(out_dir, filename, **kwargs)
        final = osp.join(out_dir, filename)
        remove_partials(out_dir)
        partial = partial_name(final)
        super().save_checkpoint(out_dir, osp.basename(partial), **kwargs)
        commit(partial, final)

    def load_checkpoint(self,
                        filename: str,
                        map_location: Union[str, Callable] = 'cpu',
                        strict: bool = False,
                        revise_keys: Optional[list] = None):
        if revise_keys is None:
            revise_keys = [(r'^module.', '')]
        checkpoint = super().load_checkpoint(filename, map_location, strict,
                                             revise_keys)
        self._loaded_train_state = checkpoint.get('meta', {}).get(
            'train_state')
        return checkpoint

    def resume(self,
               filename: str,
               resume_optimizer: bool = True,
               resume_param_scheduler: bool = True,
               map_location: Union[str, Callable] = 'default') -> None:
        """``Runner.resume`` (model, optimizer with its grad scaler,
        schedulers, message hub, hook state such as EMA) then the sampler
        position and random generators."""
        problem = checkpoint_problem(filename)
        if problem:
            raise ValueError(f'cannot resume from {filename}: {problem}; '
                             'pick another checkpoint with --resume PATH')
        self._loaded_train_state = None
        super().resume(filename, resume_optimizer, resume_param_scheduler,
                       map_location)
        apply_train_state(self, self._loaded_train_state, filename)

    def load_or_resume(self) -> None:
        """Load ``load_from``, or resume; auto-resume only from a complete
        checkpoint."""
        if self._has_loaded or not self._resume or self._load_from:
            return super().load_or_resume()
        resume_from = find_resumable_checkpoint(self.work_dir)
        if resume_from is None:
            self.logger.info(f'no checkpoint to resume in {self.work_dir}: '
                             'training from the start')
            return
        self.logger.info(f'auto-resuming from {resume_from}')
        self.resume(resume_from)
        self._has_loaded = True
