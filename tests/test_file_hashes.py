"""Cached file digests: the graph version is the same with them, and a file that may have
changed since it was hashed is hashed again."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from partnergraph.file_hashes import FileHashes
from partnergraph.graphfiles import discover, graph_version
from partnergraph.store import GraphStore
from tests.conftest import BASE, small_settings
from tests.stores import REMOTE

KAWABA = """
src:doc { src:doc a pg:SourceDocument ; rdfs:label "doc"@en .
  lg:104442 a pg:Village ; rdfs:label "川場村"@ja ; pg:lgCode "104442" . }
"""
#: A digest no file has: returned only when the cached entry is trusted without reading.
FAKE = "00" * 32


def _age(path: Path, seconds: int = 10) -> None:
    """Set the file's mtime ``seconds`` back: well outside the racy window of a hash made now."""
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns - seconds * 1_000_000_000))


def _rewrite_keeping_stat(path: Path, text: str) -> None:
    """New content of the same size, in place (same inode), with the old mtime put back."""
    st = path.stat()
    path.write_text(text)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns, after.st_ino) == (
        st.st_size,
        st.st_mtime_ns,
        st.st_ino,
    )


def _fake_digest(cache: Path, file: Path) -> None:
    """Replace the digest cached for ``file`` with :data:`FAKE`."""
    data = json.loads(cache.read_text())
    data["files"][os.path.abspath(file)][-1] = FAKE
    cache.write_text(json.dumps(data))


def _hash_and_save(file: Path, cache: Path) -> bytes:
    """Hash ``file`` through a fresh cache in ``cache`` and save it; the digest."""
    hashes = FileHashes(cache)
    digest = hashes.digest(file)
    hashes.save()
    return digest


def test_the_version_is_the_same_with_a_fresh_or_a_warm_cache(tmp_path: Path, graph_dir) -> None:
    root = graph_dir(kawaba=KAWABA)
    files = discover(root)
    plain = graph_version(files, BASE)
    cache = tmp_path / "hashes.json"
    fresh = FileHashes(cache)
    assert graph_version(files, BASE, fresh) == plain
    fresh.save()
    assert len(json.loads(cache.read_text())["files"]) == len(files)
    assert graph_version(files, BASE, FileHashes(cache)) == plain


def test_a_cached_digest_is_used_for_a_file_unchanged_since_well_before_it_was_hashed(
    tmp_path: Path,
) -> None:
    file, cache = tmp_path / "a.trig", tmp_path / "hashes.json"
    file.write_text("content")
    _age(file)
    assert _hash_and_save(file, cache) == hashlib.sha256(b"content").digest()
    _fake_digest(cache, file)
    assert FileHashes(cache).digest(file) == bytes.fromhex(FAKE)  # not read again


def test_a_file_changed_right_after_it_was_hashed_is_hashed_again(tmp_path: Path) -> None:
    """Same size, inode and mtime, but the mtime is within the racy window of the hash."""
    file, cache = tmp_path / "a.trig", tmp_path / "hashes.json"
    file.write_text("before")
    _hash_and_save(file, cache)
    _rewrite_keeping_stat(file, "after!")
    assert FileHashes(cache).digest(file) == hashlib.sha256(b"after!").digest()


def test_a_recent_file_is_hashed_again_even_with_its_stat_unchanged(tmp_path: Path) -> None:
    file, cache = tmp_path / "a.trig", tmp_path / "hashes.json"
    file.write_text("content")
    _hash_and_save(file, cache)
    _fake_digest(cache, file)
    assert FileHashes(cache).digest(file) == hashlib.sha256(b"content").digest()


def test_a_file_replaced_by_another_with_the_same_size_and_mtime_is_hashed_again(
    tmp_path: Path,
) -> None:
    """A rename over the file (as editors save) gives a new inode."""
    file, cache = tmp_path / "a.trig", tmp_path / "hashes.json"
    file.write_text("before")
    _age(file)
    _hash_and_save(file, cache)
    new = tmp_path / "new.trig"
    new.write_text("after!")
    st = file.stat()
    os.utime(new, ns=(st.st_atime_ns, st.st_mtime_ns))
    os.replace(new, file)
    assert file.stat().st_ino != st.st_ino
    assert FileHashes(cache).digest(file) == hashlib.sha256(b"after!").digest()


@pytest.mark.parametrize(
    "text",
    [
        "",
        "not json",
        "[]",
        '{"format": 1}',
        '{"format": 1, "files": {"x": [1]}}',
        '{"format": 1, "files": {"x": [1, 2, 3, 4, "zz"]}}',
        '{"format": 1, "files": {"x": [1, 2, 3, 4, "00"]}}',
        '{"format": 1, "files": {"x": ["1", 2, 3, 4, "' + FAKE + '"]}}',
        '{"format": 99, "files": {}}',
    ],
)
def test_a_malformed_cache_file_is_an_empty_cache(tmp_path: Path, text: str) -> None:
    file, cache = tmp_path / "a.trig", tmp_path / "hashes.json"
    file.write_text("content")
    cache.write_text(text)
    assert _hash_and_save(file, cache) == hashlib.sha256(b"content").digest()
    assert os.path.abspath(file) in json.loads(cache.read_text())["files"]


def test_an_undecodable_cache_file_is_an_empty_cache(tmp_path: Path) -> None:
    file, cache = tmp_path / "a.trig", tmp_path / "hashes.json"
    file.write_text("content")
    cache.write_bytes(b"\xff\xfe\x00")
    assert FileHashes(cache).digest(file) == hashlib.sha256(b"content").digest()


@pytest.mark.parametrize("where", ["read-only folder", "under a file", "onto a folder"])
def test_a_cache_that_cannot_be_written_is_not_kept_and_raises_nothing(
    tmp_path: Path, where: str
) -> None:
    file = tmp_path / "a.trig"
    file.write_text("content")
    folder = tmp_path / "cache"
    folder.mkdir()
    cache = folder / "hashes.json"
    if where == "under a file":
        cache = file / "hashes.json"
    elif where == "onto a folder":
        cache.mkdir()
    else:
        folder.chmod(0o555)
        if os.access(folder, os.W_OK):
            folder.chmod(0o755)
            pytest.skip("permissions do not bind this user (root)")
    try:
        hashes = FileHashes(cache)
        assert hashes.digest(file) == hashlib.sha256(b"content").digest()
        hashes.save()
        assert not cache.is_file()
        assert [p.name for p in folder.iterdir()] == (["hashes.json"] if cache.is_dir() else [])
    finally:
        folder.chmod(0o755)


def test_save_keeps_only_the_files_asked_about_and_writes_nothing_unchanged(
    tmp_path: Path,
) -> None:
    a, b, cache = tmp_path / "a.trig", tmp_path / "b.trig", tmp_path / "hashes.json"
    for f in (a, b):
        f.write_text(f.name)
        _age(f)
    hashes = FileHashes(cache)
    hashes.digest(a)
    hashes.digest(b)
    hashes.save()
    written = cache.stat().st_ino

    warm = FileHashes(cache)
    warm.digest(a)
    warm.digest(b)
    warm.save()
    assert cache.stat().st_ino == written  # all from the cache: not replaced

    fewer = FileHashes(cache)
    fewer.digest(a)
    fewer.save()
    assert list(json.loads(cache.read_text())["files"]) == [os.path.abspath(a)]


def test_a_changed_file_changes_the_store_version(tmp_path: Path, graph_dir) -> None:
    root = graph_dir(kawaba=KAWABA)
    store = GraphStore.open(small_settings(tmp_path, root))
    before = store.current_version()
    assert before == store.stored_version() == graph_version(discover(root), BASE)
    kawaba = root / "data" / "kawaba.trig"
    _rewrite_keeping_stat(kawaba, kawaba.read_text().replace("川場村", "川場町"))
    after = store.current_version()
    assert after != before and after == graph_version(discover(root), BASE)


@pytest.mark.skipif(REMOTE, reason="a remote store keeps no cache")
def test_the_store_keeps_the_cache_beside_itself_and_uses_it(tmp_path: Path, graph_dir) -> None:
    root = graph_dir(kawaba=KAWABA)
    for f in discover(root):
        _age(f.path)
    store = GraphStore.open(small_settings(tmp_path, root))
    version = store.current_version()
    cache = tmp_path / "store.filehashes.json"
    assert len(json.loads(cache.read_text())["files"]) == len(discover(root))
    _fake_digest(cache, root / "data" / "kawaba.trig")
    assert store.current_version() != version  # the faked digest was taken, not the file's
