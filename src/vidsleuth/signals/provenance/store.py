"""The manifest store model: what a file's C2PA manifests say, as frozen, typed records.

Why this module exists: c2pa-python hands back loose JSON whose shape differs between claim versions (v1
`claim_generator` strings, v2 `claim_generator_info` lists; `softwareAgent` as a string or an object;
validation split between the active manifest and "ingredient deltas"). `ManifestStore.from_c2pa_json`
adapts it once, tolerating missing or mistyped fields, and everything else in the signal sees the records
below. Reading the file is `reader.py`'s work; judging what the records mean is `checks.py`'s.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from vidsleuth.signals.provenance.vocabulary import iptc_term

_LABEL_IN_URL = re.compile(r"self#jumbf=/c2pa/([^/]+)")


# ---------------------------------------------------------------------------------------------- records
@dataclass(frozen=True, slots=True)
class StatusEntry:
    """One validation status code, as C2PA defines them ("Validation" chapter of the specification)."""

    code: str
    explanation: str = ""
    url: str = ""

    @property
    def manifest_label(self) -> str | None:
        match = _LABEL_IN_URL.search(self.url)
        return match.group(1) if match else None


@dataclass(frozen=True, slots=True)
class Validation:
    """What the validator checked for one manifest, kept in its three lists (never one word)."""

    passed: tuple[StatusEntry, ...] = ()
    failed: tuple[StatusEntry, ...] = ()
    informational: tuple[StatusEntry, ...] = ()

    @property
    def passed_codes(self) -> frozenset[str]:
        return frozenset(e.code for e in self.passed)

    @property
    def failed_codes(self) -> frozenset[str]:
        return frozenset(e.code for e in self.failed)


@dataclass(frozen=True, slots=True)
class SignerInfo:
    """The claim signature's certificate, as the manifest reports it."""

    issuer: str | None = None  # organisation of the signing certificate
    common_name: str | None = None
    alg: str | None = None
    time: str | None = None  # signing time from the time-stamp, when there is one
    cert_serial: str | None = None


@dataclass(frozen=True, slots=True)
class Action:
    """One entry of a `c2pa.actions` assertion. `digital_source_type` is the IPTC term without its URI."""

    action: str
    software_agent: str | None = None
    digital_source_type: str | None = None
    when: str | None = None
    description: str | None = None


@dataclass(frozen=True, slots=True)
class Ingredient:
    """An asset this one was made from. `manifest_label` names the ingredient's own manifest in the store."""

    title: str | None
    relationship: str | None  # parentOf | componentOf | inputTo
    format: str | None = None
    description: str | None = None
    manifest_label: str | None = None
    recorded_failures: tuple[str, ...] = ()  # failures the signer recorded when it took the ingredient in
    recorded_passed: tuple[str, ...] = ()  # checks it recorded as passed (e.g. signingCredential.trusted)


@dataclass(frozen=True, slots=True)
class Identity:
    """A CAWG identity assertion: who it names and how (its credential's trust is judged in checks.py)."""

    sig_type: str  # cawg.x509.cose | cawg.identity_claims_aggregation | ...
    named: str  # who it names, as the credential states it ("Westdeutscher Rundfunk, PTS-WDR")
    label: str = "cawg.identity"  # the assertion's label (cawg.identity, cawg.identity__1, ...)


@dataclass(frozen=True, slots=True)
class Manifest:
    label: str
    title: str | None
    format: str | None
    claim_generator: str | None  # claim v1 free text, e.g. "TestApp c2patool/0.6.2 c2pa-rs/0.28.2"
    claim_generator_info: tuple[str, ...]  # names from claim_generator_info, e.g. ("Sora",)
    claim_version: int | None
    signer: SignerInfo
    actions: tuple[Action, ...]
    metadata_source_types: tuple[str, ...]  # IPTC DigitalSourceType found in metadata assertions
    ingredients: tuple[Ingredient, ...]
    assertion_labels: tuple[str, ...]
    validation: Validation  # this reader's checks (for an ingredient: the changes since it was recorded)
    recorded_failures: tuple[str, ...] = ()  # failures a later signer recorded when it took this one in
    # ... and the checks it recorded as passed. c2pa re-judges an ingredient and reports only what changed
    # ("ingredient deltas"): no delta on the signer means the recorded result holds under this read's list.
    recorded_passed: tuple[str, ...] = ()
    identities: tuple[Identity, ...] = ()  # CAWG identity assertions

    @property
    def digital_source_types(self) -> tuple[str, ...]:
        seen = [a.digital_source_type for a in self.actions if a.digital_source_type]
        return tuple(dict.fromkeys([*seen, *self.metadata_source_types]))


@dataclass(frozen=True, slots=True)
class ManifestStore:
    """Every manifest in the file, the active one first."""

    active_label: str | None
    manifests: tuple[Manifest, ...]
    validation_state: str | None  # c2pa's summary word: Invalid | Valid | Trusted
    embedded: bool = True
    remote_url: str | None = None

    @property
    def active(self) -> Manifest | None:
        return self.get(self.active_label) if self.active_label else None

    def get(self, label: str) -> Manifest | None:
        for m in self.manifests:
            if m.label == label:
                return m
        return None

    @classmethod
    def from_c2pa_json(
        cls, data: object, *, embedded: bool = True, remote_url: object = None
    ) -> ManifestStore:
        """Adapt the JSON of c2pa-python's `Reader.json()`. Tolerates missing or mistyped fields."""
        top = _map(data)
        raw = _map(top.get("manifests"))
        active = _str(top.get("active_manifest"))
        statuses = _statuses_by_manifest(top, active)
        manifests = [
            _manifest(label, _map(body), statuses.get(label, {})) for label, body in raw.items() if label
        ]
        recorded: dict[str, list[str]] = {}
        passed: dict[str, list[str]] = {}
        for m in manifests:
            for ing in m.ingredients:
                if ing.manifest_label:
                    recorded.setdefault(ing.manifest_label, []).extend(ing.recorded_failures)
                    passed.setdefault(ing.manifest_label, []).extend(ing.recorded_passed)
        manifests = [
            replace(
                m,
                recorded_failures=tuple(dict.fromkeys(recorded[m.label])),
                recorded_passed=tuple(dict.fromkeys(passed[m.label])),
            )
            if recorded.get(m.label) or passed.get(m.label)
            else m
            for m in manifests
        ]
        manifests.sort(key=lambda m: m.label != active)  # stable: active first, then store order
        state = _str(top.get("validation_state"))
        return cls(active, tuple(manifests), state, embedded, _str(remote_url))


# ---------------------------------------------------------------------------------------------- adapting
def _str(value: object) -> str | None:
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def _map(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _list(value: object) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else []


def _term(uri: object) -> str | None:
    """IPTC term from a digitalSourceType URI (or a bare term)."""
    text = _str(uri)
    return iptc_term(text) if text else None


def _agent(value: object) -> str | None:
    if isinstance(value, Mapping):
        return _str(value.get("name"))
    return _str(value)


def _entries(items: Iterable[Any]) -> list[StatusEntry]:
    out = []
    for item in items:
        m = _map(item)
        code = _str(m.get("code"))
        if code:
            out.append(StatusEntry(code, _str(m.get("explanation")) or "", _str(m.get("url")) or ""))
    return out


def _statuses_by_manifest(
    data: Mapping[str, Any], active: str | None
) -> dict[str, dict[str, list[StatusEntry]]]:
    """Assign every status entry to the manifest its URL names (active-manifest results and deltas)."""
    out: dict[str, dict[str, list[StatusEntry]]] = {}
    blocks: list[Mapping[str, Any]] = []
    results = data.get("validation_results")
    if isinstance(results, Mapping):
        blocks.append(_map(results.get("activeManifest")))
        blocks.extend(_map(_map(d).get("validationDeltas")) for d in _list(results.get("ingredientDeltas")))
    else:  # older readers: one flat list of problems
        blocks.append({"failure": _list(data.get("validation_status"))})
    seen: set[tuple[str, str, str, str]] = set()
    for block in blocks:
        lists = {kind: _entries(_list(block.get(kind))) for kind in ("success", "informational", "failure")}
        fallback = next((e.manifest_label for v in lists.values() for e in v if e.manifest_label), active)
        for kind, entries in lists.items():
            for e in entries:
                label = e.manifest_label or fallback or ""
                key = (label, kind, e.code, e.url)
                if key not in seen:
                    seen.add(key)
                    out.setdefault(label, {}).setdefault(kind, []).append(e)
    return out


def _actions(assertions: list[Any]) -> list[Action]:
    out = []
    for a in assertions:
        a = _map(a)
        label = (_str(a.get("label")) or "").split("__")[0]
        if label not in ("c2pa.actions", "c2pa.actions.v2"):
            continue
        data = _map(a.get("data"))
        agents = _list(data.get("softwareAgents"))
        for item in _list(data.get("actions")):
            item = _map(item)
            name = _str(item.get("action"))
            if not name:
                continue
            agent = _agent(item.get("softwareAgent"))
            index = item.get("softwareAgentIndex")
            if agent is None and isinstance(index, int) and 0 <= index < len(agents):
                agent = _agent(agents[index])
            out.append(
                Action(
                    name,
                    agent,
                    _term(item.get("digitalSourceType")),
                    _str(item.get("when")),
                    _str(item.get("description")),
                )
            )
    return out


def _metadata_source_types(assertions: list[Any]) -> list[str]:
    found = []
    for a in assertions:
        a = _map(a)
        if (_str(a.get("label")) or "").startswith("c2pa.actions"):
            continue
        for key, value in _map(a.get("data")).items():
            if isinstance(key, str) and key.lower().endswith("digitalsourcetype"):
                term = _term(value)
                if term:
                    found.append(term)
    return found


def _identity_named(data: Mapping[str, Any], sig_type: str) -> str:
    info = _map(data.get("signature_info"))
    if sig_type.endswith("x509.cose") or info.get("common_name") or info.get("issuer"):
        named = ", ".join(x for x in (_str(info.get("issuer")), _str(info.get("common_name"))) if x)
        return named or "an unnamed X.509 signer"
    subject = _map(data.get("credentialSubject") or info.get("credentialSubject"))
    found = []
    for item in _list(subject.get("verifiedIdentities"))[:8]:
        item = _map(item)
        who = _str(item.get("username")) or _str(item.get("name")) or _str(item.get("uri")) or "?"
        provider = _str(_map(item.get("provider")).get("name"))
        kind = _str(item.get("type")) or "identity"
        found.append(f"{kind}: {who}" + (f" ({provider})" if provider else ""))
    return "; ".join(found) or "no name the reader could show"


def _identities(assertions: list[Any]) -> list[Identity]:
    out = []
    for a in assertions:
        a = _map(a)
        label = _str(a.get("label")) or ""
        if not label.startswith("cawg.identity"):
            continue
        data = _map(a.get("data"))
        sig_type = _str(_map(data.get("signer_payload")).get("sig_type")) or "unknown"
        out.append(Identity(sig_type, _identity_named(data, sig_type)[:300], label))
    return out


def _ingredient(raw: Mapping[str, Any]) -> Ingredient:
    recorded = _map(raw.get("validation_results"))
    failures = [e.code for e in _entries(_list(_map(recorded.get("activeManifest")).get("failure")))]
    failures += [e.code for e in _entries(_list(raw.get("validation_status")))]
    passed = [e.code for e in _entries(_list(_map(recorded.get("activeManifest")).get("success")))]
    label = _str(raw.get("active_manifest")) or _str(_map(raw.get("manifest_data")).get("identifier"))
    return Ingredient(
        title=_str(raw.get("title")),
        relationship=_str(raw.get("relationship")),
        format=_str(raw.get("format")),
        description=_str(raw.get("description")),
        manifest_label=label,
        recorded_failures=tuple(dict.fromkeys(failures)),
        recorded_passed=tuple(dict.fromkeys(passed)),
    )


def _manifest(label: str, body: Mapping[str, Any], statuses: Mapping[str, list[StatusEntry]]) -> Manifest:
    assertions = _list(body.get("assertions"))
    sig = _map(body.get("signature_info"))
    info = [_str(_map(i).get("name")) for i in _list(body.get("claim_generator_info"))]
    version = body.get("claim_version")
    return Manifest(
        label=label,
        title=_str(body.get("title")),
        format=_str(body.get("format")),
        claim_generator=_str(body.get("claim_generator")),
        claim_generator_info=tuple(n for n in info if n),
        claim_version=version if isinstance(version, int) and not isinstance(version, bool) else None,
        signer=SignerInfo(
            issuer=_str(sig.get("issuer")),
            common_name=_str(sig.get("common_name")),
            alg=_str(sig.get("alg")),
            time=_str(sig.get("time")),
            cert_serial=_str(sig.get("cert_serial_number")),
        ),
        actions=tuple(_actions(assertions)),
        metadata_source_types=tuple(dict.fromkeys(_metadata_source_types(assertions))),
        ingredients=tuple(_ingredient(_map(i)) for i in _list(body.get("ingredients"))),
        assertion_labels=tuple(lbl for a in assertions if (lbl := _str(_map(a).get("label")))),
        validation=Validation(
            passed=tuple(statuses.get("success", ())),
            failed=tuple(statuses.get("failure", ())),
            informational=tuple(statuses.get("informational", ())),
        ),
        identities=tuple(_identities(assertions)),
    )
