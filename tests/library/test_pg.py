"""The library on a real PostgreSQL + pgvector server: concurrent writers, killed writers, search, copy."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from vidrecap.cli import main
from vidrecap.errors import VidrecapError
from vidrecap.library import RecapLibrary, open_library
from vidrecap.library.pg_catalog import MIGRATIONS

from .text_recaps import QUERIES

pytest.importorskip("psycopg")


def _cli(*argv: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    return subprocess.run([sys.executable, "-m", "vidrecap", *argv], capture_output=True, text=True, env=env,
                          timeout=600)


def _consistent(url: str) -> None:
    """Every cell belongs to a listed recap, and the counters match the rows."""
    import psycopg

    with psycopg.connect(url) as db:
        cells = db.execute("SELECT count(*) FROM cells").fetchone()[0]
        listed = db.execute("SELECT COALESCE(sum(n_cells), 0) FROM recaps").fetchone()[0]
        counter = db.execute("SELECT COALESCE((SELECT value::bigint FROM meta WHERE key = 'cells'), 0)").fetchone()[0]
        orphans = db.execute("SELECT count(*) FROM cells c LEFT JOIN recaps r ON r.id = c.recap_id "
                             "WHERE r.id IS NULL").fetchone()[0]
    assert cells == listed == counter and orphans == 0


def test_three_concurrent_writers_add_twelve_recaps_once(pg_url, twelve_recaps):
    dirs = [str(d) for d in twelve_recaps]
    orders = [dirs, dirs[::-1], dirs[6:] + dirs[:6]]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    procs = [subprocess.Popen([sys.executable, "-m", "vidrecap", "library", "add", pg_url, *order],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env) for order in orders]
    results = [p.communicate(timeout=900) for p in procs]
    assert all(p.returncode == 0 for p in procs), [err for _, err in results]
    listing = _cli("library", "list", pg_url, "--json")
    assert listing.returncode == 0, listing.stderr
    entries = [json.loads(line) for line in listing.stdout.splitlines()]
    assert sorted(e["directory"] for e in entries) == sorted(str(Path(d).resolve()) for d in dirs)
    assert all(e["status"] == "ok" for e in entries)
    added = sum(err.count(" added  ") for _, err in results)
    assert added == 12, [err for _, err in results]  # the others found them already there
    _consistent(pg_url)


def test_a_writer_killed_mid_add_leaves_no_partial_recap(pg_url, twelve_recaps, tmp_path):
    marker = tmp_path / "inside.marker"
    script = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from vidrecap.library import open_library\n"
        "from vidrecap.library.pg_library import PgLibrary\n"
        "real = PgLibrary._insert_vectors\n"
        "def stalled(self, first, record):\n"
        "    n = real(self, first, record)\n"
        "    Path(sys.argv[3]).write_text('inside the transaction')\n"
        "    time.sleep(120)\n"
        "    return n\n"
        "PgLibrary._insert_vectors = stalled\n"
        "lib = open_library(sys.argv[1], create=True)\n"
        "lib.add_one(sys.argv[2])\n")
    with open_library(pg_url, create=True) as lib:
        assert lib.add_one(twelve_recaps[0]).status == "added"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    proc = subprocess.Popen([sys.executable, "-c", script, pg_url, str(twelve_recaps[1]), str(marker)], env=env)
    deadline = time.monotonic() + 300
    while not marker.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
    assert marker.exists(), "the writer never reached the middle of its transaction"
    with open_library(pg_url) as lib:  # mid-write, a reader sees only the finished recap
        assert [Path(e.directory).name for e in lib.entries()] == [twelve_recaps[0].name]
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    marker.unlink()
    with open_library(pg_url) as lib:
        assert [Path(e.directory).name for e in lib.entries()] == [twelve_recaps[0].name]
        _consistent(pg_url)
        assert lib.add_one(twelve_recaps[1]).status == "added"  # the dead writer's lock went with it
        assert len(lib.entries()) == 2
    _consistent(pg_url)


def test_search_agrees_with_the_embedded_store(pg_url, twelve_recaps, embedded_twelve):
    with RecapLibrary.open(embedded_twelve) as embedded, open_library(pg_url, create=True) as pg:
        assert sorted(o.status for o in pg.add(twelve_recaps)) == ["added"] * 12
        agree, right, compared = 0, 0, []
        for query, topic in QUERIES.items():
            a, b = embedded.search(query, 5).hits, pg.search(query, 5).hits
            assert a and b, query
            same = (a[0].directory, a[0].start, a[0].end) == (b[0].directory, b[0].start, b[0].end)
            agree += same and abs(a[0].score - b[0].score) < 1e-3
            right += b[0].vid == topic
            compared.append((query, a[0].vid, b[0].vid, round(a[0].score, 3), round(b[0].score, 3)))
        assert agree / len(QUERIES) >= 0.95, compared
        assert right / len(QUERIES) >= 0.75, compared  # and the search finds what it is asked


def test_copy_round_trips(pg_url, embedded_twelve, tmp_path, capsys):
    assert main(["library", "copy", str(embedded_twelve), pg_url]) == 0
    assert "copied 12 recaps" in capsys.readouterr().err
    back = tmp_path / "back"
    assert main(["library", "copy", pg_url, str(back)]) == 0
    assert main(["library", "copy", str(embedded_twelve), pg_url]) == 0  # again: nothing changes
    assert capsys.readouterr().err.count("unchanged") == 12
    with RecapLibrary.open(embedded_twelve) as a, open_library(pg_url) as b, RecapLibrary.open(back) as c:
        listed = [[(e.directory, e.title, e.cells, e.status) for e in lib.entries()] for lib in (a, b, c)]
        assert len(listed[0]) == 12 and listed[0] == listed[1] == listed[2]
        records = [sorted(lib.records(), key=lambda r: r.directory) for lib in (a, b, c)]
        for ra, rb, rc in zip(*records, strict=True):
            assert ra.cells == rb.cells == rc.cells and ra.calibrations == rb.calibrations == rc.calibrations
            assert ra.fingerprint == rb.fingerprint == rc.fingerprint
            for name, m in ra.channels.items():
                assert (m == rb.channels[name]).all() and (m == rc.channels[name]).all()
        hits = [lib.search("lava flowing into the sea", 3).hits for lib in (a, b, c)]
        assert [(h.directory, h.start, h.score) for h in hits[0]] == [(h.directory, h.start, h.score) for h in hits[2]]
        assert hits[1][0].vid == "volcano"


def test_schema_is_versioned_and_migrated_once(pg_url):
    import psycopg

    open_library(pg_url, create=True).close()
    open_library(pg_url).close()
    with psycopg.connect(pg_url, autocommit=True) as db:
        versions = db.execute("SELECT array_agg(version) FROM schema_version").fetchone()[0]
        assert versions == list(range(1, len(MIGRATIONS) + 1))
        db.execute("INSERT INTO schema_version (version) VALUES (99)")
    with pytest.raises(VidrecapError, match="newer than this vidrecap"):
        open_library(pg_url)


def test_passwords_never_shown(pg_server, capsys):
    port = pg_server.url.split(":")[2].split("/")[0]
    url = f"postgresql://someone:s3cret-pw@127.0.0.1:{port}/nosuchdb"
    with pytest.raises(VidrecapError) as err:
        open_library(url)
    assert "s3cret-pw" not in str(err.value) and "***" in str(err.value)
    assert main(["library", "list", url]) == 2
    out = capsys.readouterr()
    assert "s3cret-pw" not in out.err + out.out and out.err.count("\n") == 1


def test_a_url_with_no_library_is_one_clear_line(pg_url, capsys):
    assert main(["library", "list", pg_url]) == 2
    assert "no recap library in this database" in capsys.readouterr().err


def test_directories_are_stored_relative_to_each_machines_media_root(pg_url, twelve_recaps, tmp_path, monkeypatch):
    """Machine A mounts the recaps at one path, machine B at another: both list and search them."""
    import shutil

    from vidrecap.library.pg_library import MEDIA_ROOT_ENV, PgLibrary

    mount_a, mount_b = tmp_path / "a" / "recaps", tmp_path / "b" / "mnt"
    for d in twelve_recaps[:2]:
        shutil.copytree(d, mount_a / "talks" / d.name)
    shutil.copytree(mount_a, mount_b)
    monkeypatch.setenv(MEDIA_ROOT_ENV, str(mount_a))
    with open_library(pg_url, create=True) as lib:
        assert all(o.status == "added" for o in lib.add([mount_a]))
        assert sorted(r.directory for r in lib.catalog.recaps()) == sorted(f"talks/{d.name}" for d in twelve_recaps[:2])
    monkeypatch.setenv(MEDIA_ROOT_ENV, str(mount_b))
    with open_library(pg_url) as lib:
        entries = lib.entries()
        assert {Path(e.directory).parent for e in entries} == {mount_b.resolve() / "talks"}
        assert all(e.status == "ok" for e in entries)
        hit = lib.search("who lights the lamp in the lighthouse", 1).hits[0]
        assert hit.vid == "lighthouse" and Path(hit.directory).is_relative_to(mount_b.resolve())
        assert lib.add_one(mount_b / "talks" / twelve_recaps[0].name).status == "unchanged"  # the same key
    with PgLibrary.open(pg_url) as lib:  # a machine outside any media root still sees absolute ones
        lib.media_root = None
        assert lib.key(tmp_path / "elsewhere") == str((tmp_path / "elsewhere").resolve())
