"""Background ingest threads yield the CPU to questions: they run at BACKGROUND_NICE, the caller's thread does not."""
import os
import sys
import threading

import pytest

from kb.threads import BACKGROUND_NICE, start_background


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread nice values are Linux's")
def test_background_thread_runs_niced_and_leaves_the_caller_alone():
    before = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    seen = {}

    def work(tag):
        seen[tag] = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    start_background(work, "bg", name="test-bg").join(10)
    assert seen["bg"] == max(before, BACKGROUND_NICE)  # never above the process's own priority
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == before
