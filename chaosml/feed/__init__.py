"""Feature-feed corruption: the modes and slices of ``feed.corrupt``, for proxy and file mode.

Pure logic, no I/O except :mod:`chaosml.feed.files`, which reads and writes feature files.
"""

from chaosml.feed.corruptor import FeedCorruptor
from chaosml.feed.spec import MODES, CorruptionSpec

__all__ = ["MODES", "CorruptionSpec", "FeedCorruptor"]
