"""The writer lock says it waited only when another holder made it wait."""

from __future__ import annotations

import threading

from engagement_pipeline.warehouse.lock import WriterLock


def test_a_free_lock_reports_no_wait_and_calls_no_waiting_hook(tmp_path):
    calls = []
    lock = WriterLock(tmp_path / "store.lock")
    assert lock.acquire(on_wait=lambda: calls.append(1)) == 0.0
    lock.release()
    assert calls == []


def test_a_held_lock_is_waited_for_and_the_wait_reported(tmp_path):
    holder, waiter = WriterLock(tmp_path / "store.lock"), WriterLock(tmp_path / "store.lock", poll=0.01)
    holder.acquire()
    told, result = threading.Event(), []

    def wait() -> None:
        result.append(waiter.acquire(on_wait=told.set))

    thread = threading.Thread(target=wait)
    thread.start()
    assert told.wait(60), "the waiting hook was never called"
    holder.release()
    thread.join(60)
    waiter.release()
    assert result and result[0] > 0.0
