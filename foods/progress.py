"""A progress bar for the import commands (tqdm, on the command's error stream)."""

from contextlib import contextmanager

from tqdm import tqdm


@contextmanager
def progress_bar(*, total: int | None, stream, unit: str = "foods"):
    """Yields ``advance(n)``. Drawn only on a terminal; quiet in logs and tests."""
    bar = tqdm(total=total, unit=f" {unit}", file=stream, disable=None, dynamic_ncols=True, mininterval=0.3)
    try:
        yield bar.update
    finally:
        bar.close()
