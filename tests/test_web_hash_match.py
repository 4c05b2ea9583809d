"""`POST /api/hash` and `POST /api/match` in-process (TestClient, real hashing processes, a real bank).

What is checked: a hash of a file is the fingerprint the `fingerprint` signal makes of it; a match (from
the file, from /api/hash's rows, from vPDQ strings) is the known-content evidence the signal reports for
the same file; nothing uploaded stays on the server; hostile files and hostile JSON get one-line 4xx
errors; both routes need the token and appear in the OpenAPI document; a hashing process that runs past
the time limit is stopped and replaced.
"""

from __future__ import annotations

import io
import json
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

pytest.importorskip("fastapi")

from fastapi.testclient import TestClient
from PIL import Image

from tests import fingerprint_factory as ff
from tests import media_factory as mf
from tests.web_support import make_settings
from vidsleuth.bank import Bank, NewItem
from vidsleuth.core.settings import Settings
from vidsleuth.fingerprint.video import fingerprint_file, prune
from vidsleuth.media import open_source
from vidsleuth.pipeline import analyze
from vidsleuth.registry import SignalRegistry
from vidsleuth.signals.fingerprint import FingerprintSignal
from vidsleuth.web import create_app
from vidsleuth.web.errors import ApiError
from vidsleuth.web.hashing import HashJob, HashService

TOKEN = "hash-match-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
REGISTRY = SignalRegistry([FingerprintSignal])


@pytest.fixture(scope="module")
def videos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("hm-videos")
    a = ff.original(d / "a.mp4", seed=31, seconds=6.0)
    b = ff.original(d / "b.mp4", seed=32, seconds=6.0)
    clip = ff.apply_edit(a, d / "clip.mp4", ff.Edit("trim", trim=(1.0, 4.0)))
    photo = d / "photo.png"
    Image.fromarray(ff.still(33)).save(photo)
    return {"a": a, "b": b, "clip": clip, "photo": photo}


@pytest.fixture(scope="module")
def bank_path(videos: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> str:
    path = str(tmp_path_factory.mktemp("hm-bank") / "bank.sqlite")
    with Bank.open(path, create=True) as bank:
        for name, label in (("a", "Flood fake, debunked"), ("b", "Unrelated")):
            source = open_source(videos[name])
            fp = prune(fingerprint_file(source.path, role="bank"))
            bank.add(
                [
                    NewItem(
                        fp,
                        f"sha256:{source.sha256}",
                        "file",
                        label,
                        f"https://example.org/{name}",
                        None,
                        f"{name}.mp4",
                    )
                ]
            )
    return path


def _analysis(bank: str | None) -> Settings:
    options: dict[str, object] = {"bank": bank} if bank else {"use_bank": False}
    return Settings(options={"fingerprint": options})


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory, bank_path: str) -> Iterator[TestClient]:
    data = tmp_path_factory.mktemp("hm-data")
    settings = make_settings(data, token=TOKEN, workers=1, analysis=_analysis(bank_path))
    with TestClient(create_app(settings)) as c:
        yield c


def _upload(client: TestClient, route: str, path: Path, name: str | None = None) -> Any:
    return client.post(route, files={"file": (name or path.name, path.read_bytes())}, headers=AUTH)


def _signal_matches(path: Path, bank: str) -> list[dict[str, Any]]:
    """What the fingerprint signal reports for `path`: its known-content evidence, bank name aside."""
    result = analyze(path, _analysis(bank), registry=REGISTRY).result("fingerprint")
    assert result is not None and result.error is None
    return [
        {k: v for k, v in e.data.items() if k != "bank"}
        for e in result.evidence
        if e.code == "fingerprint.known_content"
    ]


def _uploads_left(client: TestClient) -> list[Path]:
    return list(client.app.state.settings.uploads_dir.iterdir())  # type: ignore[attr-defined]


def test_hash_of_a_video_is_the_signals_fingerprint(client: TestClient, videos: dict[str, Path]) -> None:
    answer = _upload(client, "/api/hash", videos["clip"])
    assert answer.status_code == 200, answer.text
    body = answer.json()
    report = analyze(videos["clip"], _analysis(None), registry=REGISTRY)
    result = report.result("fingerprint")
    assert result is not None
    assert body["kind"] == "video" and body["hasher"] == "pdq" and body["pdq"] is None
    assert body["sha256"] == report.source.sha256 and body["size_bytes"] == videos["clip"].stat().st_size
    assert body["frames"] == result.metrics["hashes"]  # every hash, time, quality and variant
    assert body["duration_s"] == result.metrics["duration_s"] and body["sample_fps"] == 5.0
    assert body["summary"]["frames_hashed"] == result.metrics["frames_hashed"] == len(body["vpdq"])
    first = body["frames"][0]
    assert body["vpdq"][0] == f"{first['hash']},{first['q']},{first['t']:.3f}"
    assert _uploads_left(client) == []  # nothing stored


def test_hash_of_a_photo(client: TestClient, videos: dict[str, Path]) -> None:
    answer = _upload(client, "/api/hash", videos["photo"])
    assert answer.status_code == 200, answer.text
    body = answer.json()
    expected = fingerprint_file(videos["photo"])
    assert body["kind"] == "image" and body["duration_s"] is None and body["sample_fps"] is None
    assert body["pdq"] == expected.frames[0].hex and len(body["pdq"]) == 64
    assert [f["hash"] for f in body["frames"]] == [f.hex for f in expected.frames]


def test_match_of_a_file_is_what_the_signal_reports(
    client: TestClient, videos: dict[str, Path], bank_path: str
) -> None:
    expected = _signal_matches(videos["clip"], bank_path)
    assert [m["item_id"] for m in expected] == [1]  # the clip is 1-5 s of banked video a
    answer = _upload(client, "/api/match", videos["clip"])
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["matches"] == expected
    assert body["bank"]["items"] == 2 and body["bank"]["location"] == "bank.sqlite"
    assert body["rules"]["distance"] == 31 and body["query"]["kind"] == "video"
    [match] = body["matches"]
    assert match["label"] == "Flood fake, debunked" and match["source_url"] == "https://example.org/a"
    [segment] = match["segments"]
    assert segment["item"]["start_s"] == pytest.approx(1.0, abs=0.3)
    assert segment["item"]["end_s"] == pytest.approx(5.0, abs=0.3)
    assert _uploads_left(client) == []


def test_hasher_and_matcher_apart(client: TestClient, videos: dict[str, Path], bank_path: str) -> None:
    """/api/hash's rows sent to /api/match give the file's match exactly; its vPDQ strings match too."""
    hashed = _upload(client, "/api/hash", videos["clip"]).json()
    expected = _signal_matches(videos["clip"], bank_path)
    rows = {
        "frames": hashed["frames"],
        "duration_s": hashed["duration_s"],
        "sample_fps": hashed["sample_fps"],
    }
    answer = client.post("/api/match", json=rows, headers=AUTH)
    assert answer.status_code == 200, answer.text
    assert answer.json()["matches"] == expected
    for vpdq in (hashed["vpdq"], json.dumps(hashed["vpdq"])):  # a list, or HMA's signal string
        got = client.post("/api/match", json={"vpdq": vpdq}, headers=AUTH)
        assert got.status_code == 200, got.text
        [match] = got.json()["matches"]
        assert match["item_id"] == 1 and match["segments"][0]["item"]["start_s"] == pytest.approx(
            1.0, abs=0.4
        )
    # Bare PDQ hashes (no times) are matched as a photo: the banked video's matching time range.
    bare = [f["hash"] for f in hashed["frames"] if f["v"] == 0][:3]
    got = client.post("/api/match", json={"hashes": bare}, headers=AUTH)
    assert got.status_code == 200, got.text
    match = got.json()["matches"][0]
    assert match["item_id"] == 1 and match["rule"] == "pdq" and match["segments"][0]["query"] is None
    # Hashes of nothing banked: no match.
    other = client.post("/api/match", json={"hashes": ["0f" * 32]}, headers=AUTH)
    assert other.status_code == 200 and other.json()["matches"] == []


@pytest.mark.parametrize(
    ("payload", "needle"),
    [
        ({"hashes": ["xyz"]}, "hashes.0"),
        ({"hashes": ["ab" * 31]}, "hashes.0"),
        ({"frames": [{"hash": "ab" * 32, "t": 0.0}, {"hash": "cd" * 32}]}, "for every frame"),
        ({"frames": [{"hash": "ab" * 32, "q": 101}]}, "frames.0.q"),
        ({"hashes": ["ab" * 32], "vpdq": ["x"]}, "exactly one"),
        ({}, "exactly one"),
        ({"hashes": []}, "no hashes"),
        ({"vpdq": ["ab,1"]}, "vpdq.0"),
        ({"vpdq": [f"{'ab' * 32},50,nan"]}, "vpdq.0"),
        ({"vpdq": "[[[["}, "vpdq"),
        ({"hashes": ["ab" * 32], "colour": "blue"}, "colour"),
        ({"hashes": ["ab" * 32] * 20_001}, "hashes"),
    ],
)
def test_hostile_json_gets_a_clear_422(client: TestClient, payload: dict[str, Any], needle: str) -> None:
    answer = client.post("/api/match", json=payload, headers=AUTH)
    assert answer.status_code == 422, answer.text
    error = answer.json()["error"]
    assert error["code"] == "invalid_request" and needle in error["message"] and "\n" not in error["message"]


def test_a_million_hashes_are_refused_while_reading(client: TestClient) -> None:
    body = json.dumps({"hashes": ["ab" * 32] * 1_000_000}).encode()
    answer = client.post("/api/match", content=body, headers={**AUTH, "Content-Type": "application/json"})
    assert answer.status_code == 413 and answer.json()["error"]["code"] == "too_large"
    broken = client.post(
        "/api/match", content=b'{"hashes": [', headers={**AUTH, "Content-Type": "application/json"}
    )
    assert broken.status_code == 422


def test_hostile_files_get_a_clear_4xx(client: TestClient, tmp_path: Path) -> None:
    seed = mf.continuous(tmp_path / "seed.mp4", seconds=2.0)
    cases = {
        "notes.mp4": (b"this is not a video at all\n" * 40, 422),
        "truncated.mp4": (mf.truncate(seed, tmp_path / "t.mp4", 0.3).read_bytes(), 422),
        "huge.y4m": (mf.absurd_dimensions(tmp_path / "huge.y4m").read_bytes(), 422),
        "empty.mp4": (b"", 422),
    }
    for route in ("/api/hash", "/api/match"):
        for name, (data, status) in cases.items():
            answer = client.post(route, files={"file": (name, data)}, headers=AUTH)
            assert answer.status_code == status, (route, name, answer.text)
            message = answer.json()["error"]["message"]
            assert message and "\n" not in message and "Traceback" not in message
        text = client.post(route, content=b"hello", headers={**AUTH, "Content-Type": "text/plain"})
        assert text.status_code == 415
    assert _uploads_left(client) == []


def test_both_routes_need_the_token_and_are_documented(client: TestClient, videos: dict[str, Path]) -> None:
    for route in ("/api/hash", "/api/match"):
        refused = client.post(route, files={"file": ("a.mp4", b"x")})
        assert refused.status_code == 401 and refused.json()["error"]["code"] == "unauthorized"
    assert client.post("/api/match", json={"hashes": ["ab" * 32]}).status_code == 401
    spec = client.get("/api/openapi.json").json()
    hash_op, match_op = spec["paths"]["/api/hash"]["post"], spec["paths"]["/api/match"]["post"]
    assert "multipart/form-data" in hash_op["requestBody"]["content"]
    assert set(match_op["requestBody"]["content"]) == {"application/json", "multipart/form-data"}
    assert hash_op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/HashOut")
    match_in = match_op["requestBody"]["content"]["application/json"]["schema"]
    assert {"frames", "hashes", "vpdq"} <= set(match_in["properties"]) and match_in["examples"]
    assert "$ref" not in json.dumps(match_in)  # FrameIn inlined: the document has no dangling reference
    schemas = spec["components"]["schemas"]
    assert {"HashOut", "MatchResponse"} <= set(schemas) and schemas["MatchResponse"]["example"]["matches"]


def test_without_a_bank_match_says_so(tmp_path: Path) -> None:
    app = create_app(make_settings(tmp_path, workers=1, analysis=_analysis(None)))
    client = TestClient(app)  # no lifespan: nothing here needs the analysis pool
    answer = client.post("/api/match", json={"hashes": ["ab" * 32]})
    assert answer.status_code == 409 and answer.json()["error"]["code"] == "no_bank"


def test_a_hash_past_the_time_limit_is_stopped_and_the_next_runs(videos: dict[str, Path]) -> None:
    job = HashJob(str(videos["a"]), "a.mp4", 5.0, 384, 50_000_000, 900.0)
    service = HashService(1, 1024, timeout_s=0.05)  # less than a process start: always too slow
    try:
        with pytest.raises(ApiError) as stopped:
            service.run(job)
        assert stopped.value.status == 422 and stopped.value.code == "timeout"
        service.timeout_s = 60.0
        fp = service.run(job)  # a fresh process, under the memory cap
        assert fp.kind == "video" and len(fp.frames) >= 25
        assert fp == fingerprint_file(videos["a"], sample_fps=5.0)
    finally:
        service.stop()


def test_a_png_with_a_huge_declared_size_is_refused(client: TestClient) -> None:
    buf = io.BytesIO()
    Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(buf, format="PNG")
    data = bytearray(buf.getvalue())
    data[16:24] = (40000).to_bytes(4, "big") * 2  # IHDR width and height: 40000 x 40000
    data[29:33] = zlib.crc32(bytes(data[12:29])).to_bytes(4, "big")  # with its checksum
    answer = client.post("/api/hash", files={"file": ("big.png", bytes(data))}, headers=AUTH)
    assert answer.status_code == 422, answer.text  # Pillow refuses it as a bomb; the decoder then too
    assert answer.json()["error"]["code"] == "bad_input"


def test_match_with_a_sharded_index_gives_the_same_answer(
    tmp_path: Path, videos: dict[str, Path], bank_path: str
) -> None:
    """The server's fingerprint options choose the index layout; the answer is the one-index answer."""
    expected = _signal_matches(videos["clip"], bank_path)
    sharded = Settings(options={"fingerprint": {"bank": bank_path, "index_shards": 2}})
    app = create_app(make_settings(tmp_path, token=TOKEN, workers=1, analysis=sharded))
    with TestClient(app) as c:
        answer = _upload(c, "/api/match", videos["clip"])
        assert answer.status_code == 200, answer.text
        assert answer.json()["matches"] == expected
        state = app.state.bank_matcher._state
        assert state is not None and state.choice.shards == 2
        assert type(state.searcher.index).__name__ == "ShardedIndex"
