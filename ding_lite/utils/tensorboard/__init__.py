"""TensorBoard scalar/text writer without torch, and crash-safe truncation of a run's events.

Why not ``torch.utils.tensorboard`` (~2 s to import) or tensorboard's ``EventFileWriter``
(~0.4 s: it pulls in the TensorFlow stub and boto3): both are start-up cost for every run; the
latter also flushes without fsync, opens its file in ``"wb"`` mode (a name clash would clobber)
and picks file names we need to control (see ``records``). Here only the generated protos are
imported (~0.03 s); the TFRecord framing (length, masked CRC32C) is a few lines.

Modules: ``records`` (TFRecord framing and event-file listing), ``writer`` (``ScalarWriter``),
``truncate`` (``truncate_events``, cutting a run's events back to a checkpoint).
"""

from ding_lite.utils.tensorboard.truncate import truncate_events
from ding_lite.utils.tensorboard.writer import ScalarWriter

__all__ = ["ScalarWriter", "truncate_events"]
