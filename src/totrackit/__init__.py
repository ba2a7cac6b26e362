"""ToTrackIt: deadline tracking for asynchronous business processes."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("totrackit")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"
