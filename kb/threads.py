"""Background work (uploads, edits, deletions, the first ingest) in threads that yield the CPU to questions."""
from __future__ import annotations

import os
import threading
from collections.abc import Callable

# The nice value of a background ingest thread (Linux schedules threads one by one: only that thread, and the
# embedder's OpenMP workers it starts, which inherit it). kb loadtest (32 clients asking on 10k chunks while a
# 300-sentence upload is embedded, 2 cores, 2026-12-02): at the process's priority 12.9 and 14.2 answers/s, p95 3.4
# and 3.0 s (two runs); at 10, 16.3 answers/s, p95 2.6 s, the upload still ingested within the 60 s. 10 is nice(1)'s
# default for background work.
BACKGROUND_NICE = 10


def start_background(target: Callable[..., object], *args, name: str) -> threading.Thread:
    """A daemon thread running target(*args) at BACKGROUND_NICE, or lower if the process already runs lower
    (where the OS allows it)."""
    def run() -> None:
        try:
            me = threading.get_native_id()
            os.setpriority(os.PRIO_PROCESS, me, max(BACKGROUND_NICE, os.getpriority(os.PRIO_PROCESS, me)))
        except (AttributeError, OSError):  # not Linux, or not permitted: run at the process's priority
            pass
        target(*args)

    thread = threading.Thread(target=run, name=name, daemon=True)
    thread.start()
    return thread
