"""``warehouse/publish.py`` in detail, without a pipeline run (docs/data-contract.md §5): comments on
every table and column, the row counts it returns, the temporary file's name and cleanup, and the
report folder's versioned link. Fast, so the mutation run (scripts/mutation.py) can use them;
test_publish_atomic.py shows the atomicity under concurrent readers."""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from engagement_pipeline.warehouse import publish as module
from engagement_pipeline.warehouse.publish import (TEMP_SUFFIX, comment_tables, publish, publish_folder,
                                                   remove_leftovers)
from engagement_pipeline.warehouse.registry import TABLES
from engagement_pipeline.warehouse.store import replace_rows, transaction


def _waves(n_rows: int, wave: str = "w1") -> pd.DataFrame:
    return pd.DataFrame({"wave": pd.Series([wave] * n_rows, dtype="string"), "n_respondents": range(n_rows),
                         "n_users": 0, "n_non_users": 0, "pct_users": 0.0, "mean_pct_improved": 0.0,
                         "loaded_at": pd.Timestamp("2020-01-01")})


def _codebook() -> pd.DataFrame:
    return TABLES["codebook"].conform(pd.DataFrame({"wave": "w1",
        "theme": ["care", "speed", "cost"], "label": ["Care", "Speed", "Cost"], "description": ["d1", "d2", "d3"],
        "golden_thread": ["patient_care", "patient_experience", "patient_care"]}))


def _store(path: Path, n_waves: int = 3, codebook: bool = True) -> None:
    with duckdb.connect(str(path)) as con, transaction(con):
        replace_rows(con, "waves", "w1", _waves(n_waves))
    if codebook:
        with duckdb.connect(str(path)) as con:
            con.register("frame", _codebook())
            con.execute("CREATE OR REPLACE TABLE codebook AS SELECT * FROM frame")


def test_publish_copies_the_store_with_every_comment_and_returns_row_counts(tmp_path):
    store, warehouse = tmp_path / "store.duckdb", tmp_path / "out" / "deeper" / "engagement.duckdb"
    _store(store)
    with duckdb.connect(str(store)) as con:
        counts = publish(con, warehouse)
    assert counts == {"waves": 3, "codebook": 3}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = dict(con.execute("SELECT table_name, comment FROM duckdb_tables()").fetchall())
        assert tables == {"waves": TABLES["waves"].comment, "codebook": TABLES["codebook"].comment}
        columns = con.execute("SELECT table_name, column_name, comment FROM duckdb_columns() WHERE NOT internal"
                              ).fetchall()
        assert columns and all(comment == TABLES[t].column(c).comment for t, c, comment in columns)
        assert {(t, c) for t, c, _ in columns} >= {("waves", "n_respondents"), ("codebook", "golden_thread")}
        assert con.execute("SELECT sum(n_respondents) FROM waves").fetchone()[0] == 0 + 1 + 2
        assert con.execute("SELECT list(theme ORDER BY theme) FROM codebook").fetchone()[0] == ["care", "cost", "speed"]
    assert sorted(p.name for p in warehouse.parent.iterdir()) == ["engagement.duckdb"]


def test_comment_tables_leaves_absent_tables_out_and_commits(tmp_path):
    store = tmp_path / "store.duckdb"
    _store(store, n_waves=0, codebook=False)
    with duckdb.connect(str(store)) as con:
        assert comment_tables(con) == {"waves": 0}
    with duckdb.connect(str(store), read_only=True) as con:  # committed, seen by a new connection
        assert con.execute("SELECT comment FROM duckdb_tables() WHERE table_name = 'waves'").fetchone()[0] == \
            TABLES["waves"].comment


def test_an_in_memory_store_cannot_be_published(tmp_path):
    with duckdb.connect() as con, pytest.raises(ValueError, match=r"^an in-memory store cannot be published$"):
        publish(con, tmp_path / "engagement.duckdb")
    assert list(tmp_path.iterdir()) == []


def test_the_copy_is_made_beside_the_warehouse_under_a_temporary_name(tmp_path, monkeypatch):
    store, warehouse = tmp_path / "store.duckdb", tmp_path / "out" / "engagement.duckdb"
    _store(store)
    copies = []
    real_copy = module.shutil.copyfile

    def copy(source, target):
        copies.append((Path(source), Path(target)))
        return real_copy(source, target)

    monkeypatch.setattr(module.shutil, "copyfile", copy)
    with duckdb.connect(str(store)) as con:
        publish(con, warehouse)
    ((source, target),) = copies
    assert source == store
    assert target.parent == warehouse.parent
    assert target.name.startswith(".engagement.duckdb.") and target.name.endswith(TEMP_SUFFIX)
    token = target.name.removeprefix(".engagement.duckdb.").removesuffix(TEMP_SUFFIX)
    assert len(token) == 32 and int(token, 16) >= 0
    assert not target.exists() and warehouse.exists()


def test_a_failed_copy_removes_its_temporary_file_and_keeps_the_warehouse(tmp_path, monkeypatch):
    store, warehouse = tmp_path / "store.duckdb", tmp_path / "engagement.duckdb"
    _store(store)
    with duckdb.connect(str(store)) as con:
        publish(con, warehouse)
    before = warehouse.read_bytes()

    def fail_after_writing(source, target):
        Path(target).write_bytes(b"half a copy")
        raise OSError("disk full (simulated)")

    monkeypatch.setattr(module.shutil, "copyfile", fail_after_writing)
    with duckdb.connect(str(store)) as con, pytest.raises(OSError, match="disk full"):
        publish(con, warehouse)
    assert warehouse.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["engagement.duckdb", "store.duckdb"]


def test_the_copy_and_the_folder_are_fsynced_before_and_after_the_rename(tmp_path, monkeypatch):
    store, warehouse = tmp_path / "store.duckdb", tmp_path / "out" / "engagement.duckdb"
    _store(store)
    events = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(module.os, "fsync", lambda fd: (events.append(("fsync", os.readlink(f"/proc/self/fd/{fd}"))),
                                                        real_fsync(fd)))
    monkeypatch.setattr(module.os, "replace", lambda a, b: (events.append(("replace", str(b))), real_replace(a, b)))
    with duckdb.connect(str(store)) as con:
        publish(con, warehouse)
    ours = [e for e in events if str(warehouse.parent) in e[1]]
    assert [kind for kind, _ in ours] == ["fsync", "replace", "fsync"]
    assert ours[0][1].endswith(TEMP_SUFFIX) and ours[1][1] == str(warehouse) and ours[2][1] == str(warehouse.parent)


def test_remove_leftovers_deletes_only_this_warehouses_temporary_files(tmp_path):
    warehouse = tmp_path / "engagement.duckdb"
    keep = [warehouse, tmp_path / ".other.duckdb.abc.publishing", tmp_path / "engagement.duckdb.wal",
            tmp_path / ".engagement.duckdb.abc"]
    gone = [tmp_path / ".engagement.duckdb.abc.publishing", tmp_path / ".engagement.duckdb.def.publishing.wal"]
    for path in keep + gone:
        path.write_text("x")
    remove_leftovers(warehouse)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in keep)
    remove_leftovers(tmp_path / "missing" / "engagement.duckdb")  # nothing there: no error


def test_a_publish_first_removes_a_killed_publishs_leftovers(tmp_path):
    store, warehouse = tmp_path / "store.duckdb", tmp_path / "engagement.duckdb"
    _store(store)
    (tmp_path / f".engagement.duckdb.0123{TEMP_SUFFIX}").write_bytes(b"torn")
    with duckdb.connect(str(store)) as con:
        publish(con, warehouse)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["engagement.duckdb", "store.duckdb"]


def _report(folder: Path, text: str) -> Path:
    (folder / "charts").mkdir(parents=True)
    (folder / "findings.md").write_text(text)
    (folder / "charts" / "a.png").write_bytes(text.encode())
    return folder


def test_publish_folder_swaps_in_a_real_folder_and_a_held_file_keeps_its_content(tmp_path):
    final = tmp_path / "reports" / "2019-03"
    publish_folder(_report(tmp_path / "one", "first"), final)
    assert final.is_dir() and not final.is_symlink()
    assert (final / "findings.md").read_text() == "first" and (final / "charts" / "a.png").read_bytes() == b"first"
    inode = final.stat().st_ino
    held = os.open(final / "findings.md", os.O_RDONLY)
    try:
        publish_folder(_report(tmp_path / "two", "second"), final)
        assert os.read(held, 100) == b"first"  # an open reader keeps what it opened
    finally:
        os.close(held)
    assert final.stat().st_ino != inode  # a new folder took the name: nothing was rewritten in place
    assert (final / "findings.md").read_text() == "second"
    assert sorted(p.name for p in final.parent.iterdir()) == ["2019-03"]  # no versions or links left beside it
    assert (tmp_path / "one" / "findings.md").read_text() == "first"  # the staged folder is copied, not moved


def test_a_published_report_folder_survives_a_plain_copy(tmp_path):
    final = tmp_path / "reports" / "2019-03"
    publish_folder(_report(tmp_path / "one", "first"), final)
    copy = tmp_path / "share" / "reports"
    shutil.copytree(tmp_path / "reports", copy, symlinks=True)  # as cp -r or a Windows share would take it
    assert not any(p.is_symlink() for p in copy.rglob("*"))
    assert (copy / "2019-03" / "findings.md").read_text() == "first"


def test_without_an_atomic_exchange_the_swap_still_ends_whole(tmp_path, monkeypatch):
    import ctypes

    final = tmp_path / "reports" / "2019-03"
    publish_folder(_report(tmp_path / "one", "first"), final)
    monkeypatch.setattr(ctypes, "CDLL", lambda *a, **k: (_ for _ in ()).throw(OSError("no libc")))
    publish_folder(_report(tmp_path / "two", "second"), final)
    assert (final / "findings.md").read_text() == "second"
    assert sorted(p.name for p in final.parent.iterdir()) == ["2019-03"]


def test_publish_folder_replaces_the_old_linked_layout_and_clears_a_killed_publishs_leftovers(tmp_path):
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / ".2019-03.oldversion").mkdir()
    (reports / ".2019-03.oldversion" / "old.md").write_text("old layout")
    final = reports / "2019-03"
    final.symlink_to(".2019-03.oldversion")
    (reports / f".2019-03.dead{TEMP_SUFFIX}").mkdir()
    (reports / f".2019-03.dead.link{TEMP_SUFFIX}").symlink_to("nowhere")
    (reports / ".2019-03.stray-file").write_text("x")
    (reports / "2020-03").mkdir()
    publish_folder(_report(tmp_path / "new", "new"), final)
    assert final.is_dir() and not final.is_symlink()
    assert sorted(p.name for p in final.iterdir()) == ["charts", "findings.md"]
    assert sorted(p.name for p in reports.iterdir()) == ["2019-03", "2020-03"]


def test_a_copy_that_fails_before_writing_raises_its_own_error(tmp_path, monkeypatch):
    """No temporary file was made: cleaning up must not replace the copy's error with another."""
    store, warehouse = tmp_path / "store.duckdb", tmp_path / "engagement.duckdb"
    _store(store)

    def refuse(source, target):
        raise PermissionError("store unreadable (simulated)")

    monkeypatch.setattr(module.shutil, "copyfile", refuse)
    with duckdb.connect(str(store)) as con, pytest.raises(PermissionError, match="store unreadable"):
        publish(con, warehouse)
    assert not warehouse.exists()


@pytest.fixture
def removed_meanwhile(monkeypatch):
    """Every file or folder publish.py deletes has already been deleted by someone else (a second
    process cleaning up at the same moment): the deletion must not fail."""
    real_unlink, real_rmtree = Path.unlink, module.shutil.rmtree
    removed = []

    def unlink(self, missing_ok=False):
        if self.is_symlink() or self.exists():
            real_unlink(self)
            removed.append(self.name)
        return real_unlink(self, missing_ok=missing_ok)

    def rmtree(path, ignore_errors=False, **kwargs):
        if Path(path).exists():
            real_rmtree(path)
            removed.append(Path(path).name)
        return real_rmtree(path, ignore_errors=ignore_errors, **kwargs)

    monkeypatch.setattr(Path, "unlink", unlink)
    monkeypatch.setattr(module.shutil, "rmtree", rmtree)
    return removed


def test_leftovers_removed_by_someone_else_meanwhile_are_no_error(tmp_path, removed_meanwhile):
    (tmp_path / f".engagement.duckdb.abc{TEMP_SUFFIX}").write_text("x")
    remove_leftovers(tmp_path / "engagement.duckdb")
    assert removed_meanwhile == [f".engagement.duckdb.abc{TEMP_SUFFIX}"]


def test_report_leftovers_removed_by_someone_else_meanwhile_are_no_error(tmp_path, removed_meanwhile):
    """A killed publish's copies and links beside the report, and the old version swapped out, are
    deleted by this publish; another process deleting them first is no error."""
    final = tmp_path / "out" / "reports" / "2019-03"  # neither folder exists yet
    publish_folder(_report(tmp_path / "one", "first"), final)
    assert removed_meanwhile == []
    (final.parent / f".2019-03.dead{TEMP_SUFFIX}").mkdir()
    (final.parent / f".2019-03.dead.link{TEMP_SUFFIX}").symlink_to("nowhere")
    publish_folder(_report(tmp_path / "two", "second"), final)
    assert sorted(removed_meanwhile[:2]) == [f".2019-03.dead.link{TEMP_SUFFIX}", f".2019-03.dead{TEMP_SUFFIX}"]
    assert len(removed_meanwhile) == 3 and removed_meanwhile[2].endswith(TEMP_SUFFIX)  # the old version
    assert (final / "findings.md").read_text() == "second"
    assert sorted(p.name for p in final.parent.iterdir()) == ["2019-03"]


def _two_folders(tmp_path: Path) -> tuple[Path, Path]:
    a, b = tmp_path / "reports" / ".incoming", tmp_path / "reports" / "2019-03"
    for folder, text in ((a, "new"), (b, "old")):
        folder.mkdir(parents=True)
        (folder / "findings.md").write_text(text)
    return a, b


def _recording_replace(monkeypatch) -> list[tuple[str, str]]:
    calls, real = [], os.replace
    monkeypatch.setattr(module.os, "replace", lambda a, b: (calls.append((Path(a).name, Path(b).name)), real(a, b))[1])
    return calls


def test_the_swap_is_one_atomic_exchange_where_the_kernel_offers_it(tmp_path, monkeypatch):
    """On Linux (renameat2 with RENAME_EXCHANGE), the report's name never points at nothing: no
    rename moves the old folder aside first."""
    a, b = _two_folders(tmp_path)
    calls = _recording_replace(monkeypatch)
    module._exchange(a, b)
    assert calls == []
    assert ((b / "findings.md").read_text(), (a / "findings.md").read_text()) == ("new", "old")


def _fake_libc(monkeypatch, error: int) -> list[tuple]:
    """A C library whose renameat2 fails with ``error``."""
    import ctypes

    calls = []

    def renameat2(*args):
        calls.append(args)
        ctypes.set_errno(error)
        return -1

    monkeypatch.setattr(ctypes, "CDLL", lambda name, use_errno=False: type("Libc", (), {"renameat2": renameat2}))
    return calls


@pytest.mark.parametrize("error", [errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP])
def test_a_file_system_without_exchange_gets_two_renames(tmp_path, monkeypatch, error):
    a, b = _two_folders(tmp_path)
    tried = _fake_libc(monkeypatch, error)
    calls = _recording_replace(monkeypatch)
    module._exchange(a, b)
    assert tried == [(-100, os.fsencode(a), -100, os.fsencode(b), 2)]
    assert len(calls) == 3 and calls[1] == (".incoming", "2019-03")
    assert ((b / "findings.md").read_text(), (a / "findings.md").read_text()) == ("new", "old")
    assert sorted(p.name for p in b.parent.iterdir()) == [".incoming", "2019-03"]


def test_any_other_exchange_error_is_raised_and_nothing_moves(tmp_path, monkeypatch):
    a, b = _two_folders(tmp_path)
    _fake_libc(monkeypatch, errno.EXDEV)
    calls = _recording_replace(monkeypatch)
    with pytest.raises(OSError) as raised:
        module._exchange(a, b)
    assert (raised.value.errno, raised.value.strerror, raised.value.filename) == (
        errno.EXDEV, os.strerror(errno.EXDEV), str(b))
    assert calls == [] and (b / "findings.md").read_text() == "old"


def test_the_kernels_own_error_is_reported(tmp_path):
    """The real renameat2 failing (no folder to exchange with): its errno reaches the error."""
    import ctypes

    a, _ = _two_folders(tmp_path)
    ctypes.set_errno(0)  # no errno of an earlier call (in this process or the one it was forked from)
    with pytest.raises(OSError) as raised:
        module._exchange(a, tmp_path / "reports" / "missing")
    assert (raised.value.errno, raised.value.filename) == (errno.ENOENT, str(tmp_path / "reports" / "missing"))
    assert raised.value.filename2 is None  # from the exchange itself, not from a fallback rename


def test_a_publish_killed_between_the_two_renames_leaves_nothing_behind(tmp_path, monkeypatch):
    final = tmp_path / "reports" / "2019-03"
    publish_folder(_report(tmp_path / "one", "first"), final)
    _fake_libc(monkeypatch, errno.EINVAL)  # a file system without RENAME_EXCHANGE: two renames
    real, done = os.replace, []

    def killed_after_the_first(a, b):
        if done:
            raise KeyboardInterrupt("killed (simulated)")
        done.append(b)
        return real(a, b)

    monkeypatch.setattr(module.os, "replace", killed_after_the_first)
    with pytest.raises(KeyboardInterrupt):
        publish_folder(_report(tmp_path / "two", "second"), final)
    monkeypatch.setattr(module.os, "replace", real)
    publish_folder(_report(tmp_path / "three", "third"), final)
    assert (final / "findings.md").read_text() == "third"
    assert sorted(p.name for p in final.parent.iterdir()) == ["2019-03"]
