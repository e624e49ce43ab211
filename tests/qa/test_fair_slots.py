"""The service's answer slots: at most n questions at once, the rest served strictly in arrival order."""
import threading
import time

from qa.service import FairSlots


def _wait_until(cond, seconds=5.0):
    deadline = time.monotonic() + seconds
    while not cond():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def test_waiters_are_served_in_arrival_order_and_the_slot_frees_after():
    slots = FairSlots(1)
    order: list[str] = []
    release_first = threading.Event()

    def holder():
        with slots:
            order.append("first")
            release_first.wait(5)

    def waiter(name):
        with slots:
            order.append(name)

    threads = [threading.Thread(target=holder)]
    threads[0].start()
    _wait_until(lambda: order == ["first"])
    for n, name in enumerate(["a", "b", "c"], 1):
        threads.append(threading.Thread(target=waiter, args=(name,)))
        threads[-1].start()
        _wait_until(lambda n=n: len(slots._waiting) == n)  # queued before the next one arrives
    release_first.set()
    for t in threads:
        t.join(5)
    assert order == ["first", "a", "b", "c"]
    # all released: the slot is free again and taken without waiting
    entered = threading.Event()
    t = threading.Thread(target=lambda: (slots.__enter__(), entered.set(), slots.__exit__(None, None, None)))
    t.start()
    assert entered.wait(2)
    t.join(2)


def test_at_most_n_hold_at_once():
    slots, lock = FairSlots(2), threading.Lock()
    inside, most = 0, 0

    def work():
        nonlocal inside, most
        with slots:
            with lock:
                inside += 1
                most = max(most, inside)
            time.sleep(0.02)
            with lock:
                inside -= 1

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(5)
    assert most == 2 and inside == 0
