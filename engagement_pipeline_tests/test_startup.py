"""The collector pause the CLI and its worker start under (engagement_pipeline/startup.py)."""

import gc

import pytest

from engagement_pipeline.startup import collector_paused


@pytest.fixture(autouse=True)
def _restore_collector():
    enabled = gc.isenabled()
    yield
    gc.unfreeze()
    (gc.enable if enabled else gc.disable)()


def test_no_collection_inside_and_what_was_made_is_frozen():
    gc.enable()
    gc.unfreeze()
    collections = []
    gc.callbacks.append(lambda phase, info: collections.append(info["generation"]) if phase == "start" else None)
    try:
        with collector_paused():
            assert not gc.isenabled()
            made = [[i] for i in range(50_000)]  # enough new containers to trigger collections if enabled
        assert collections == []
    finally:
        gc.callbacks.pop()
    assert gc.isenabled()
    assert gc.get_freeze_count() >= len(made)


def test_collection_stays_off_when_it_was_off_and_resumes_after_an_error():
    gc.disable()
    with collector_paused():
        pass
    assert not gc.isenabled()
    gc.enable()
    with pytest.raises(RuntimeError), collector_paused():
        raise RuntimeError("an import failed")
    assert gc.isenabled()
