"""A batch sampler that keeps the whole uint8 dataset on the training device.

Why: a DataLoader decodes, converts and copies every image on every step; 60 000
Fashion-MNIST images are 47 MB as uint8, so they fit on any GPU once and a batch is one
index operation. Introduced in 05_dcgan_full_training_run; used by every training loop.
"""
from __future__ import annotations

import torch


def to_unit_range(images_uint8: torch.Tensor) -> torch.Tensor:
    """uint8 pixels 0..255 → float in [-1, 1], with a channel axis: (N, 28, 28) → (N, 1, 28, 28)."""
    return images_uint8.unsqueeze(1).float().div_(127.5).sub_(1.0)


class DeviceBatches:
    """Batch number `step` of a seeded, reshuffled-every-epoch pass over `images`.

    The order is a pure function of (seed, step): epoch e uses randperm(N) from a CPU
    generator seeded with seed + e, and the last partial batch of each epoch is dropped.
    So a resumed run sees exactly the batches an uninterrupted one would, and with
    `rank`/`world_size` each DDP process takes its own slice of every batch.
    """

    def __init__(self, images: torch.Tensor, batch_size: int, device="cpu", seed: int = 0,
                 labels: torch.Tensor | None = None, rank: int = 0, world_size: int = 1):
        if images.dtype != torch.uint8 or images.dim() != 3:
            raise ValueError(f"images must be uint8 (N, H, W); got {images.dtype} {tuple(images.shape)}.")
        if not 0 < batch_size * world_size <= len(images):
            raise ValueError(f"batch_size={batch_size} (× {world_size} processes) must be between 1 "
                             f"and the dataset size {len(images)}.")
        self.images = images.to(device)                                   # (N, 28, 28) uint8
        self.labels = None if labels is None else labels.to(device)      # (N,) int64
        self.batch_size, self.seed = batch_size, seed
        self.rank, self.world_size = rank, world_size
        self.steps_per_epoch = len(images) // (batch_size * world_size)
        self._epoch, self._perm = -1, None

    def _permutation(self, epoch: int) -> torch.Tensor:
        if epoch != self._epoch:
            g = torch.Generator().manual_seed(self.seed + epoch)
            self._perm = torch.randperm(len(self.images), generator=g).to(self.images.device)
            self._epoch = epoch
        return self._perm

    def indices(self, step: int) -> torch.Tensor:
        epoch, i = divmod(step, self.steps_per_epoch)
        start = (i * self.world_size + self.rank) * self.batch_size
        return self._permutation(epoch)[start:start + self.batch_size]

    def batch(self, step: int) -> torch.Tensor:
        """Images of batch `step`, float in [-1, 1], shape (batch_size, 1, 28, 28)."""
        return to_unit_range(self.images[self.indices(step)])

    def labelled_batch(self, step: int) -> tuple[torch.Tensor, torch.Tensor]:
        """(images, labels) of batch `step`, for conditional models."""
        if self.labels is None:
            raise ValueError("this sampler was built without labels; pass labels=… to DeviceBatches.")
        idx = self.indices(step)
        return to_unit_range(self.images[idx]), self.labels[idx]
