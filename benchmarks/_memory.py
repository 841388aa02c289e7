"""Peak memory of a benchmark process, shared by the update benchmarks."""

from __future__ import annotations


def hwm_mb(pid: int | str = "self") -> float | None:
    """Peak resident memory of a process since it started its program (``VmHWM``), in MB.

    Not ``ru_maxrss``: Linux carries the parent's peak (here: the parent that built a 1M-vector
    model) into a forked child's ``ru_maxrss`` across ``exec``.
    """
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def rss_mb() -> float:
    return hwm_mb() or 0.0
