"""discover: every candidate file, in an order that depends only on the names."""

from __future__ import annotations

import os
from pathlib import Path

from copytrace.ingest import discover


def _make(root: Path, names: list[str]) -> None:
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x", encoding="utf-8")


def _rel(root: Path, paths: list[Path]) -> list[str]:
    return [p.relative_to(root).as_posix() for p in paths]


def test_recurses_sorts_by_path_parts_and_skips_hidden_and_partial_files(tmp_path):
    _make(
        tmp_path,
        [
            "b.txt",
            "a.html",
            "A.jsonl",
            "sub/z.txt",
            "sub/deeper/y.warc.gz",
            "sub-file.txt",
            ".hidden.txt",
            ".cache/inside.txt",
            "sub/.git/config",
            "download.html.part",
            "x.txt.tmp",
            "notes.txt~",
            "PARTIAL.TXT.PART",
            "photo.jpg",
        ],
    )

    found = _rel(tmp_path, discover(tmp_path))

    # folders sort by their own name as one part ("sub" < "sub-file.txt"), not by the joined string
    assert found == ["A.jsonl", "a.html", "b.txt", "photo.jpg", "sub/deeper/y.warc.gz", "sub/z.txt", "sub-file.txt"]


def test_order_does_not_depend_on_creation_order(tmp_path):
    names = [f"{n:03d}.txt" for n in range(40)]
    _make(tmp_path / "one", names)
    _make(tmp_path / "two", list(reversed(names)))

    assert _rel(tmp_path / "one", discover(tmp_path / "one")) == _rel(tmp_path / "two", discover(tmp_path / "two"))
    assert _rel(tmp_path / "one", discover(tmp_path / "one")) == names


def test_symlinks_are_returned_and_symlinked_folders_not_walked(tmp_path):
    landing, outside = tmp_path / "landing", tmp_path / "outside"
    _make(outside, ["secret.txt"])
    _make(landing, ["real.txt"])
    (landing / "link.txt").symlink_to(outside / "secret.txt")
    (landing / "dirlink").symlink_to(outside, target_is_directory=True)
    (landing / "loop").symlink_to(landing, target_is_directory=True)

    assert _rel(landing, discover(landing)) == ["dirlink", "link.txt", "loop", "real.txt"]


def test_a_folder_that_cannot_be_listed_is_returned_for_read_file_to_report(tmp_path, monkeypatch):
    _make(tmp_path, ["ok.txt", "locked/inside.txt"])
    real_scandir = os.scandir

    def scandir(path):
        if Path(path).name == "locked":
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)  # root can list anything, so refuse at the call

    assert _rel(tmp_path, discover(tmp_path)) == ["locked", "ok.txt"]


def test_an_empty_or_missing_folder_has_no_files(tmp_path):
    assert discover(tmp_path) == []
    assert discover(tmp_path / "missing") == []
