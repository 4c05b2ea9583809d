"""The isolated C2PA reader: the code that runs in the child interpreter, and the only code that imports
`c2pa`.

Why this module exists: c2pa-rs parses attacker-controlled boxes in native code, so `reader.py` runs each
read in a short-lived child (`python -I -c SOURCE`). The child runs only the two functions below, sent as
their source text: it loads c2pa but not vidsleuth, PyAV or numpy. Keep them self-contained (imports
inside, no module-level names, builtins only). `isolate=False` calls `serve` in-process. One request
carries one c2pa settings object per trust list (see `reader.py`: one list per read).
"""

from __future__ import annotations

from typing import Any


def serve(request: dict[str, Any]) -> dict[str, Any]:
    """Read the file once per trust list (`passes`, in precedence order) and describe the outcome as plain
    JSON data. Stops after the first pass that leaves no signer untrusted or expired: a file trusted by
    the first list, or without a manifest, costs one read."""
    import sys

    for entry in reversed(request.get("sys_path") or []):
        if entry not in sys.path:
            sys.path.insert(0, entry)
    import c2pa

    undecided = (
        "signingCredential.untrusted",
        "signingCredential.expired",
        "signingCredential.invalid",
        "claimSignature.outsideValidity",
    )
    passes: list[dict[str, Any]] = []
    for number, pass_settings in enumerate(request["passes"]):
        settings = c2pa.Settings()
        try:
            settings.update(pass_settings)
            context = c2pa.Context(settings=settings)
        except Exception as exc:
            settings.close()
            return {"status": "settings_error", "pass": number, "message": str(exc)}
        try:
            with open(request["path"], "rb") as stream:
                reader = c2pa.Reader.try_create(request.get("format"), stream, None, context)
                if reader is None:
                    return {"status": "none"}
                with reader:
                    store = reader.json()
                    passes.append(
                        {
                            "store": store,
                            "embedded": bool(reader.is_embedded()),
                            "remote_url": reader.get_remote_url(),
                        }
                    )
        except OSError as exc:
            return {"status": "error", "kind": "Io", "message": f"{type(exc).__name__}: {exc}"}
        except Exception as exc:
            text = str(exc).strip()
            head = text.split(":", 1)[0].strip()
            kind = head if ":" in text and head.isidentifier() else type(exc).__name__.lstrip("_")
            return {"status": "error", "kind": kind, "message": text or type(exc).__name__}
        finally:
            context.close()
            settings.close()
        if not any(code in store for code in undecided):
            break
    return {"status": "ok", "passes": passes}


def main() -> None:
    """Entry point of the isolated reader: request JSON on stdin, response JSON on the original stdout."""
    import json
    import os
    import sys

    answer = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)  # whatever the native library prints goes to stderr, not into the answer
    request = json.loads(sys.stdin.read())
    limit = int(request.get("memory_limit_bytes") or 0)
    if limit > 0:
        try:
            import resource

            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        except (ImportError, ValueError, OSError):
            pass
    answer.write(json.dumps(serve(request)))
    answer.flush()
