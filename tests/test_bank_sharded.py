"""The bank's search path on one compact index and on a sharded one: the same matches, through the CLI.

The bank holds two real generated videos between ~6,000 random frame hashes each side, so that with 2 or
3 shards (by id, in blocks of 4,096 snapshot rows) every shard holds frames and the two videos sit in
different shards. A query stitched from both videos must find both, with the same JSON, whatever the
index layout; `vidsleuth bank search` and `vidsleuth check --bank` are run as a user runs them. Bad
layout values are one-line errors with exit 2. The on-disk index cache keys on the layout: a cached
single index is never loaded as a sharded one, and a sharded one comes back from the cache. Ray actors
are tried when Ray is installed (in-process, 2 CPUs).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner, Result

from tests import fingerprint_factory as ff
from vidsleuth.bank import Bank, NewItem, content_id_of_frames
from vidsleuth.cli.main import main
from vidsleuth.fingerprint.compact_index import CompactMIHIndex
from vidsleuth.fingerprint.index_cache import ENV_CACHE
from vidsleuth.fingerprint.index_choice import IndexChoice
from vidsleuth.fingerprint.search import BankSearcher
from vidsleuth.fingerprint.sharded import ShardedIndex
from vidsleuth.fingerprint.video import FrameHash, VideoFingerprint

ENV = ("VIDSLEUTH_INDEX_SHARDS", "VIDSLEUTH_INDEX_BACKEND", "VIDSLEUTH_BANK", ENV_CACHE)


def random_item(seed: int, frames: int = 40) -> NewItem:
    rng = np.random.default_rng(seed)
    hashes = [rng.integers(0, 256, 32, dtype=np.uint8).tobytes() for _ in range(frames)]
    fp = VideoFingerprint(
        tuple(FrameHash(h, 90, k / 10, k) for k, h in enumerate(hashes)), "video", frames / 10, 10.0
    )
    return NewItem(fp, content_id_of_frames(fp), "random", f"filler {seed}")


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("bank-sharded")
    a = ff.original(d / "a.mp4", seed=61, seconds=4.0)
    b = ff.original(d / "b.mp4", seed=62, seconds=4.0)
    stitched = ff.stitch(d / "stitched.mp4", [(a, 0.5, 3.5), (b, 0.5, 3.5)])
    bank = d / "bank.sqlite"
    with Bank.open(str(bank), create=True) as store:
        store.add([random_item(seed) for seed in range(150)])  # snapshot rows 0..5,999
    assert bank_cli(bank, "add", str(a), "--label", "A").exit_code == 0
    with Bank.open(str(bank)) as store:
        store.add([random_item(seed) for seed in range(1000, 1160)])  # rows past 12,288: a third shard
    assert bank_cli(bank, "add", str(b), "--label", "B").exit_code == 0
    return {"bank": bank, "stitched": stitched}


@pytest.fixture
def bank(media: dict[str, Path], tmp_path: Path) -> Path:
    """A copy of the module's bank, so that each test starts with no index cache beside it."""
    copy = tmp_path / "bank.sqlite"
    copy.write_bytes(media["bank"].read_bytes())
    return copy


def bank_cli(bank: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, ["bank", "--bank", str(bank), *args], env=env)


def bank_search(bank: Path, query: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    return bank_cli(bank, "search", str(query), "--json", *args, env=env)


def cache_files(bank: Path) -> list[str]:
    return sorted(p.name for p in (bank.parent / (bank.name + ".index-cache")).glob("*.vsidx"))


def test_bank_search_answers_the_same_on_one_index_and_on_shards(media: dict[str, Path], bank: Path) -> None:
    one = bank_search(bank, media["stitched"])
    assert one.exit_code == 0, one.output
    expected = json.loads(one.output)["matches"]
    assert sorted(m["label"] for m in expected if m["is_match"]) == ["A", "B"]
    [single] = cache_files(bank)
    assert "compact" in single and "sharded" not in single

    three = bank_search(bank, media["stitched"], "--index-shards", "3")
    assert three.exit_code == 0, three.output
    assert json.loads(three.output)["matches"] == expected
    [cached] = cache_files(bank)  # the single index's file was replaced by the sharded one's
    assert "sharded3" in cached

    again = bank_search(bank, media["stitched"], env={"VIDSLEUTH_INDEX_SHARDS": "3"})  # from the cache
    assert again.exit_code == 0, again.output
    assert json.loads(again.output)["matches"] == expected
    two = bank_search(bank, media["stitched"], env={"VIDSLEUTH_INDEX_SHARDS": "2"})
    assert json.loads(two.output)["matches"] == expected
    assert "sharded2" in cache_files(bank)[0]


def fingerprint_result(output: str) -> dict[str, Any]:
    report = json.loads(output.strip().splitlines()[-1])
    [result] = [r for r in report["results"] if r["signal"] == "fingerprint"]
    return {
        "bank": result["metrics"]["bank"],
        "matches": result["metrics"]["matches"],
        "evidence": [(e["code"], e["summary"]) for e in result["evidence"]],
    }


def test_check_with_a_bank_answers_the_same_on_shards(media: dict[str, Path], bank: Path) -> None:
    base = ["check", str(media["stitched"]), "--bank", str(bank), "--only", "fingerprint", "--json", "-q"]
    one = CliRunner().invoke(main, base)
    assert one.exit_code == 0, one.output
    sharded = CliRunner().invoke(main, [*base, "--option", "fingerprint.index_shards=2"])
    assert sharded.exit_code == 0, sharded.output
    got = fingerprint_result(sharded.output)
    assert got == fingerprint_result(one.output)
    assert len(got["matches"]) == 2


@pytest.mark.parametrize(
    ("args", "env", "says"),
    [
        (["--index-shards", "-1"], {}, "index shards must be within 0..1024"),
        (["--index-shards", "many"], {}, "index shards must be an integer"),
        (["--index-backend", "gpu"], {}, "index backend must be one of threads, ray"),
        ([], {"VIDSLEUTH_INDEX_SHARDS": "2000"}, "index shards must be within 0..1024"),
    ],
)
def test_bank_search_refuses_a_bad_layout_in_one_line(
    media: dict[str, Path], bank: Path, args: list[str], env: dict[str, str], says: str
) -> None:
    result = bank_search(bank, media["stitched"], *args, env=env)
    assert result.exit_code == 2
    assert says in result.output and len(result.output.strip().splitlines()) == 1
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("option", "env", "says"),
    [
        ("fingerprint.index_shards=-4", {}, "index shards must be within"),
        ("fingerprint.index_backend=gpu", {}, "fingerprint.index_backend"),
        (None, {"VIDSLEUTH_INDEX_BACKEND": "gpu"}, "VIDSLEUTH_INDEX_BACKEND"),
    ],
)
def test_check_refuses_a_bad_layout_in_one_line(
    media: dict[str, Path], bank: Path, option: str | None, env: dict[str, str], says: str
) -> None:
    args = ["check", str(media["stitched"]), "--bank", str(bank), "--only", "fingerprint", "--no-report"]
    result = CliRunner().invoke(main, [*args, *(["--option", option] if option else [])], env=env)
    assert result.exit_code == 2
    assert says in result.output and len(result.output.strip().splitlines()) == 1


def test_layout_options_leave_the_settings_digest_alone() -> None:
    from vidsleuth.core.settings import Settings
    from vidsleuth.pipeline import prepare_settings

    plain = prepare_settings(Settings(options={"fingerprint": {"use_bank": False}}))
    sharded = prepare_settings(
        Settings(options={"fingerprint": {"use_bank": False, "index_shards": 4, "index_backend": "threads"}})
    )
    assert plain.digest() == sharded.digest()


def snapshot_of(bank: Path) -> Any:
    with Bank.open(str(bank)) as store:
        return store.snapshot(), store.index_cache()


def test_every_shard_holds_frames_and_the_cache_keys_on_the_layout(bank: Path) -> None:
    snapshot, cache = snapshot_of(bank)
    queries = snapshot.hashes[::97]
    single = BankSearcher(snapshot, cache=cache)
    assert isinstance(single.index, CompactMIHIndex) and not single.from_cache
    expected = single.index.query(queries, 31)
    sharded = BankSearcher(snapshot, cache=cache, choice=IndexChoice(3))
    assert isinstance(sharded.index, ShardedIndex) and not sharded.from_cache  # not the single index's file
    assert min(sharded.index.shard_sizes()) > 0
    assert sharded.index.query(queries, 31).same_as(expected)
    again = BankSearcher(snapshot, cache=cache, choice=IndexChoice(3))
    assert again.from_cache and again.index.query(queries, 31).same_as(expected)
    other = BankSearcher(snapshot, cache=cache, choice=IndexChoice(2))  # 3 shards' file is not 2 shards'
    assert not other.from_cache and other.index.query(queries, 31).same_as(expected)
    for s in (sharded, again, other):
        s.close()


def test_ray_backend_without_ray_is_a_one_line_error(
    media: dict[str, Path], bank: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # as if Ray were not installed
    result = bank_search(bank, media["stitched"], "--index-shards", "2", "--index-backend", "ray")
    assert result.exit_code == 2
    assert result.output.strip() == "error: index backend ray needs Ray: pip install 'vidsleuth[ray]'"
    assert IndexChoice(1, "ray").check_available() == IndexChoice(1, "ray")  # one index: no Ray needed


@pytest.mark.slow
def test_ray_shards_answer_the_same(bank: Path) -> None:
    ray = pytest.importorskip("ray", reason="Ray is not installed (pip install 'vidsleuth[ray]')")
    snapshot, _ = snapshot_of(bank)
    queries = snapshot.hashes[::97]
    expected = BankSearcher(snapshot).index.query(queries, 31)
    started = not ray.is_initialized()
    if started:
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        searcher = BankSearcher(snapshot, choice=IndexChoice(2, "ray"))
        assert searcher.index.query(queries, 31).same_as(expected)
        searcher.close()
    finally:
        if started:
            ray.shutdown()


def test_a_sharded_cache_of_another_layout_is_refused(bank: Path) -> None:
    from vidsleuth.fingerprint.errors import IndexFormatError

    snapshot, _ = snapshot_of(bank)
    built = BankSearcher(snapshot, choice=IndexChoice(3)).index
    arrays = built.built_arrays()
    rename = {"s0.": "s1.", "s1.": "s0."}
    swapped = {rename.get(k[:3], k[:3]) + k[3:]: v for k, v in arrays.items()}
    fresh = ShardedIndex(3, index_factory=CompactMIHIndex)
    with pytest.raises(IndexFormatError, match="holds hashes of another shard"):
        fresh.load_built(swapped)
    with pytest.raises(IndexFormatError, match="arrays of 3 shards for an index of 2"):
        ShardedIndex(2).load_built(arrays)
    fresh.load_built(arrays)
    queries = snapshot.hashes[::97]
    assert fresh.query(queries, 31).same_as(built.query(queries, 31))
