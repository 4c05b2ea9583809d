"""What a web worker does with one case: the prepared settings of the server (the bank it names
included) apply to web analyses as to `check`; the uploaded file is hashed and probed once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests import fingerprint_factory as ff
from vidsleuth.bank import Bank, NewItem
from vidsleuth.core.settings import Settings
from vidsleuth.fingerprint.video import fingerprint_file, prune
from vidsleuth.media import hash_file, open_source
from vidsleuth.pipeline import prepare_settings
from vidsleuth.web.worker import Job, run_job


@pytest.fixture(scope="module")
def video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return ff.original(tmp_path_factory.mktemp("worker") / "known.mp4", seed=5, seconds=4.0)


def _job(video: Path, settings: Settings, sha256: str | None = None) -> Job:
    return Job(
        case_id="c1",
        display_name="upload.mp4",
        settings=settings,
        max_duration_s=600,
        path=str(video),
        sha256=sha256,
    )


def test_the_servers_bank_is_searched_for_web_analyses(video: Path, tmp_path: Path) -> None:
    bank_file = tmp_path / "bank.sqlite"
    source = open_source(video)
    with Bank.open(str(bank_file), create=True) as bank:
        fp = prune(fingerprint_file(source.path, role="bank"))
        bank.add([NewItem(fp, f"sha256:{source.sha256}", "file", "debunked clip", "https://example.org/x")])
    # What `vidsleuth serve --bank`-style settings become: checked once at start-up.
    settings = prepare_settings(Settings(options={"fingerprint": {"bank": str(bank_file)}}))
    sent: list[tuple[Any, ...]] = []
    run_job(_job(video, settings, sha256=hash_file(video)), sent.append)
    done = [m for m in sent if m[0] == "done"]
    assert done, sent
    codes = {e["code"] for r in done[0][2]["results"] for e in r["evidence"]}
    assert "fingerprint.known_content" in codes
    assert done[0][2]["source"]["name"] == "upload.mp4"


def test_an_uploads_hash_is_not_computed_again(video: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import vidsleuth.media.source as source_module

    def refuse(_path: object) -> str:
        raise AssertionError("the upload was hashed again")

    monkeypatch.setattr(source_module, "hash_file", refuse)
    sent: list[tuple[Any, ...]] = []
    known = "cd" * 32
    run_job(_job(video, prepare_settings(Settings(only=("metadata",))), sha256=known), sent.append)
    done = [m for m in sent if m[0] == "done"]
    assert done and done[0][2]["source"]["sha256"] == known
