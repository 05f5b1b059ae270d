"""Checkpoint saving that never leaves a run without a loadable checkpoint."""
import os.path as osp

from mmengine.dist import is_main_process
from mmengine.hooks import CheckpointHook

from vmae_mm.registry import HOOKS
from ..checkpoint_files import LAST_CHECKPOINT, write_text_atomic


@HOOKS.register_module()
class SafeCheckpointHook(CheckpointHook):
    """mmengine's ``CheckpointHook`` (same arguments) with a safe order.

    mmengine deletes the oldest kept checkpoint *before* writing the new one,
    so with ``max_keep_ckpts=1`` a run killed during the save has no
    checkpoint left, and it rewrites ``last_checkpoint`` in place. Here the
    new checkpoint is written first (atomically, by ``VMAERunner``), then
    ``last_checkpoint`` is replaced atomically, and only then are outdated
    checkpoints deleted: at every moment the work dir holds a complete
    checkpoint that ``last_checkpoint`` names.
    """

    def _save_checkpoint_with_step(self, runner, step, meta):
        ckpt_filename = self.filename_tmpl.format(step)
        self.last_ckpt = self.file_backend.join_path(self.out_dir,
                                                     ckpt_filename)
        runner.message_hub.update_info('last_ckpt', self.last_ckpt)
        runner.save_checkpoint(
            self.out_dir,
            ckpt_filename,
            self.file_client_args,
            save_optimizer=self.save_optimizer,
            save_param_scheduler=self.save_param_scheduler,
            meta=meta,
            by_epoch=self.by_epoch,
            backend_args=self.backend_args,
            **self.args)

        outdated = []
        if self.max_keep_ckpts > 0 and not (self.keep_ckpt_ids and
                                            self.keep_ckpt_ids[-1] == step):
            if len(self.keep_ckpt_ids) == self.max_keep_ckpts:
                outdated.append(self.keep_ckpt_ids.popleft())
            self.keep_ckpt_ids.append(step)
            runner.message_hub.update_info('keep_ckpt_ids',
                                           list(self.keep_ckpt_ids))
        if not is_main_process():
            return
        write_text_atomic(osp.join(runner.work_dir, LAST_CHECKPOINT),
                          self.last_ckpt)
        for old_step in outdated:
            path = self.file_backend.join_path(
                self.out_dir, self.filename_tmpl.format(old_step))
            if path == self.last_ckpt:
                continue
            if self.file_backend.isfile(path):
                self.file_backend.remove(path)
            elif self.file_backend.isdir(path):
                self.file_backend.rmtree(path)
