"""Documents are data: loading a `.bpnet` file (or a recovery copy) never executes anything
and never opens a path written inside it. Checked with an audit hook, which sees every file
opened and every process started by any means. Headless: no Qt."""

from __future__ import annotations

import json
import pickle
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest
from document_examples import spec_example

from bpstudio.document.format import DocumentError, load, save
from bpstudio.document.recovery import RecoveryStore, read_document, read_info

CODE = "__import__('os').system('touch {marker}')"
WATCHED = ("open", "os.system", "subprocess.Popen", "exec", "compile", "pickle.find_class")

_events: list[tuple[str, tuple]] | None = None


def _audit(event: str, args: tuple) -> None:
    if _events is not None and event in WATCHED:
        _events.append((event, args))


sys.addaudithook(_audit)  # hooks cannot be removed; it records only inside `audited()`


@contextmanager
def audited():
    """Records the watched audit events raised inside the block."""
    global _events
    _events = []
    try:
        yield _events
    finally:
        _events = None


def opened(events) -> set[str]:
    return {str(args[0]) for event, args in events if event == "open"}


def hostile(marker: Path, secret: Path) -> dict:
    """A valid document whose every free text is code or a path, with extra keys that look
    like includes and references."""
    obj = spec_example()
    code = CODE.format(marker=marker)
    obj["name"] = code
    obj["description"] = f"!!python/object/apply:os.system ['touch {marker}'] {{{{7*7}}}}"
    obj["layers"][0]["labels"] = [str(secret)]
    obj["include"] = str(secret)
    obj["$ref"] = f"file://{secret}"
    obj["__reduce__"] = {"py/object": "os.system", "args": [code]}
    return obj


def test_code_and_paths_in_a_document_stay_plain_text(tmp_path):
    """Loading keeps every string verbatim, runs nothing (no marker file, no process, no
    compile) and opens no file but the document itself; saving writes the strings back."""
    marker, secret = tmp_path / "PWNED", tmp_path / "secret.txt"
    secret.write_text("do not read", encoding="utf-8")
    obj = hostile(marker, secret)
    path = tmp_path / "hostile.bpnet"
    path.write_text(json.dumps(obj), encoding="utf-8")
    with audited() as events:
        doc = load(path)
    assert opened(events) == {str(path)}
    assert [e for e, _ in events if e != "open"] == []
    assert not marker.exists()
    assert doc.name == obj["name"] and doc.layers[0].labels == [str(secret)]
    assert doc.extra == {k: obj[k] for k in ("include", "$ref", "__reduce__")}
    save(doc, tmp_path / "again.bpnet")
    assert json.loads((tmp_path / "again.bpnet").read_text(encoding="utf-8")) == obj


@pytest.mark.parametrize(
    ("place", "value", "problem"),
    [
        ("data", {"file": "SECRET"}, 'data has unknown key "file"'),
        (
            "training",
            {"learning_rate": 0.1, "script": "SECRET"},
            'training has unknown key "script"',
        ),
        ("data", "SECRET", "data must be an object"),
    ],
)
def test_path_keys_inside_the_document_are_refused_not_followed(tmp_path, place, value, problem):
    """Where a path could be mistaken for data (`data`, `training`), an unknown key or a
    string is an error, and the path is never opened."""
    secret = tmp_path / "secret.csv"
    secret.write_text("x,y\n1,2\n", encoding="utf-8")
    obj = spec_example()
    obj[place] = json.loads(json.dumps(value).replace("SECRET", str(secret)))
    path = tmp_path / "paths.bpnet"
    path.write_text(json.dumps(obj), encoding="utf-8")
    with audited() as events, pytest.raises(DocumentError, match=problem):
        load(path)
    assert opened(events) == {str(path)}


class _Boom:
    def __reduce__(self):
        return (print, ("unpickled!",))


@pytest.mark.parametrize(
    "raw",
    [
        pickle.dumps(_Boom()),
        b"!!python/object/apply:os.system ['touch PWNED']\n",
        b"name: !!python/object/new:os.system [echo hi]\n",
        b"eval(\"__import__('os')\")",
    ],
    ids=["pickle", "yaml-tag", "yaml-object", "python"],
)
def test_pickles_yaml_tags_and_code_are_refused_unread(tmp_path, raw):
    path = tmp_path / "not-json.bpnet"
    path.write_bytes(raw)
    with audited() as events, pytest.raises(DocumentError, match=str(path)):
        load(path)
    assert [e for e, _ in events if e != "open"] == []
    assert opened(events) == {str(path)}


def test_a_recovery_copy_naming_another_file_does_not_open_it(tmp_path):
    """The original path a recovery copy records is only remembered: reading the copy opens
    the copy alone."""
    secret = tmp_path / "secret.bpnet"
    secret.write_text("{}", encoding="utf-8")
    store = RecoveryStore(tmp_path / "recovery", pid=1)
    store.write(load_spec(tmp_path), str(secret), None)
    with audited() as events:
        info = read_info(store.file)
        read_document(info)
    assert info.original == str(secret)
    assert opened(events) == {str(store.file)}


def load_spec(folder: Path):
    path = folder / "spec.bpnet"
    path.write_text(json.dumps(spec_example()), encoding="utf-8")
    return load(path)
