"""The CLI's instance keeps its SQLite event-log connections open (``instance._reusing_connections``):
every event is still stored and read back, with a handful of engines where Dagster's own storage
makes several per event; any other storage is left alone."""

from __future__ import annotations

import sqlalchemy
from dagster import AssetKey, AssetMaterialization, DagsterInstance
from dagster._core.storage.event_log.sqlite import sqlite_event_log

from engagement_pipeline import instance as instance_module


def _count_engines(monkeypatch) -> list[str]:
    made: list[str] = []
    real = sqlalchemy.create_engine

    def counting(url, *args, **kwargs):
        made.append(str(url))
        return real(url, *args, **kwargs)

    monkeypatch.setattr(sqlalchemy, "create_engine", counting)  # ours imports it when it runs
    monkeypatch.setattr(sqlite_event_log, "create_engine", counting)  # Dagster's own, as it imported it
    return made


def _report(instance: DagsterInstance, n: int) -> None:
    for i in range(n):
        instance.report_runless_asset_event(AssetMaterialization(AssetKey("thing"), partition=f"p{i}",
                                                                 metadata={"i": i}))


def test_events_are_stored_and_read_back_through_a_few_kept_connections(tmp_path, monkeypatch):
    with DagsterInstance.from_config(str(tmp_path)) as plain:
        _report(plain, 1)  # creates the databases
    made = _count_engines(monkeypatch)
    with DagsterInstance.from_config(str(tmp_path)) as plain:
        _report(plain, 5)
    per_event_before = len(made) / 5
    made.clear()
    with instance_module._reusing_connections(DagsterInstance.from_config(str(tmp_path))) as instance:
        _report(instance, 20)
        latest = instance.get_latest_materialization_event(AssetKey("thing"))
        partitions = instance.get_materialized_partitions(AssetKey("thing"))
    assert per_event_before >= 2  # what Dagster's own storage does: several engines per event
    assert len(made) <= instance_module._OPEN_EVENT_LOGS  # one per database file, kept
    assert latest.asset_materialization.metadata["i"].value == 19
    assert partitions == {f"p{i}" for i in range(20)}


def test_a_storage_other_than_sqlite_is_left_as_it_is():
    with DagsterInstance.ephemeral() as instance:
        storage = instance.event_log_storage
        assert instance_module._reusing_connections(instance) is instance
        assert "_connect" not in vars(storage)


def test_opening_waits_for_another_process_creating_the_instance_and_says_so_when_it_never_ends(tmp_path, monkeypatch):
    import pytest

    from engagement_pipeline.warehouse.lock import StoreBusyError, WriterLock

    lock = tmp_path / "pipeline" / "instance.lock"
    home = tmp_path / "home"
    home.mkdir()
    with instance_module.open_instance(str(home), lock, ["2031-03"]) as opened:  # free: opens and registers
        assert opened.get_dynamic_partitions("waves") == ["2031-03"]
    monkeypatch.setattr(instance_module, "OPEN_TIMEOUT_SECONDS", 0.0)
    with WriterLock(lock):  # another process is creating it
        with pytest.raises(StoreBusyError, match="opening the Dagster instance in .*home"):
            instance_module.open_instance(str(home), lock)
    assert not any(p.name.endswith(".lock") for p in home.iterdir())  # nothing written into DAGSTER_HOME
