"""archive.db.transaction(): one BEGIN IMMEDIATE per write, rolled back on any failure, COMMIT's own included."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlite_utils

from nianbao.archive.db import transaction


def _deferred_fk_db(path: Path) -> sqlite_utils.Database:
    """A database whose foreign key is checked only at COMMIT: a bad row makes COMMIT itself fail."""
    db = sqlite_utils.Database(path)
    db.execute("PRAGMA foreign_keys = ON")
    db.execute("create table parent (id integer primary key)")
    db.execute("create table child (id integer primary key, parent_id integer "
               "references parent(id) deferrable initially deferred)")
    return db


def test_a_failing_commit_is_rolled_back(tmp_path: Path):
    db = _deferred_fk_db(tmp_path / "a.db")
    with pytest.raises(sqlite3.IntegrityError), transaction(db):
        db.execute("insert into child (id, parent_id) values (1, 99)")  # accepted now, refused at COMMIT
    assert not db.conn.in_transaction
    assert db.execute("select count(*) from child").fetchone() == (0,)
    with transaction(db):  # the connection is usable again
        db.execute("insert into parent (id) values (99)")
        db.execute("insert into child (id, parent_id) values (1, 99)")
    assert db.execute("select count(*) from child").fetchone() == (1,)


def test_an_error_inside_rolls_back_and_a_nested_one_is_a_savepoint(tmp_path: Path):
    db = _deferred_fk_db(tmp_path / "a.db")
    with transaction(db):
        db.execute("insert into parent (id) values (1)")
        with pytest.raises(ValueError), transaction(db):
            db.execute("insert into parent (id) values (2)")
            raise ValueError("inner")
    assert [r[0] for r in db.execute("select id from parent")] == [1]
    with pytest.raises(ValueError), transaction(db):
        db.execute("insert into parent (id) values (3)")
        raise ValueError("outer")
    assert not db.conn.in_transaction
    assert [r[0] for r in db.execute("select id from parent")] == [1]
