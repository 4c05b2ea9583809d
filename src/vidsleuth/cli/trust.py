"""`vidsleuth trust`: install, refresh and show the C2PA trust lists that signers are verified against.

vidsleuth ships no lists (they are not its to redistribute with the code, and it never downloads
anything): `trust refresh` copies them from a local copy of their repositories into the trust directory
(`--trust-lists DIR`, `$VIDSLEUTH_TRUST_DIR`, default ~/.local/share/vidsleuth/trust), and `check` then
uses them offline. The work is done in `vidsleuth.signals.provenance.refresh` and `.trustlists`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from vidsleuth.cli.base import Group, debug_option, error
from vidsleuth.core.errors import ExitCode
from vidsleuth.errors import ConfigError
from vidsleuth.signals.provenance.refresh import refresh_legacy, refresh_official
from vidsleuth.signals.provenance.trustlists import (
    ENV_DIR,
    LEGACY_DIR,
    OFFICIAL_DIR,
    load_installed,
    read_source,
    resolve_trust_dir,
)

_DIR_HELP = f"Trust-list directory (default: ${ENV_DIR}, else ~/.local/share/vidsleuth/trust)."


@click.group("trust", cls=Group)
def trust() -> None:
    """Install and inspect the C2PA trust lists (offline; vidsleuth ships code, not lists)."""


@trust.command("refresh")
@click.option(
    "--from",
    "source",
    type=click.Path(path_type=Path),
    help="Local copy of c2pa-org/conformance-public (git directory, bare mirror or checkout).",
)
@click.option(
    "--legacy-from",
    "legacy_source",
    type=click.Path(path_type=Path),
    help="Local copy of contentauth/verify-site, for the legacy CAI interim list (a second level).",
)
@click.option("--trust-lists", "directory", envvar=ENV_DIR, help=_DIR_HELP)
@debug_option
def refresh(source: Path | None, legacy_source: Path | None, directory: str | None) -> None:
    """Check and install the lists from local copies of their repositories.

    Writes DIR/c2pa (the C2PA Trust List and TSA Trust List) and DIR/cai-interim (the legacy list), each
    with README.md and SOURCE.json (repository, commit, dates, sha256, licence). Nothing is written for a
    copy whose lists do not check out; a list past its NextUpdate gives a warning.
    """
    if source is None and legacy_source is None:
        raise ConfigError("trust refresh: give --from (c2pa-org/conformance-public) and/or --legacy-from")
    target = resolve_trust_dir(directory)
    done = []
    if source is not None:
        done.append(refresh_official(source, target))
    if legacy_source is not None:
        done.append(refresh_legacy(legacy_source, target))
    for result in done:
        click.echo(f"installed {result.directory}")
        for line in result.lines:
            click.echo(f"  {line}")
        for warning in result.warnings:
            click.echo(click.style("warning: ", fg="yellow", bold=True) + warning, err=True)


@trust.command("show")
@click.option("--trust-lists", "directory", envvar=ENV_DIR, help=_DIR_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@debug_option
def show(directory: str | None, as_json: bool) -> None:
    """Show the installed lists: level, date, certificates, source, and any problem."""
    target = resolve_trust_dir(directory)
    installed = load_installed(target)
    rows: list[dict[str, Any]] = []
    for t in installed.lists:
        folder = target / (OFFICIAL_DIR if t.level == "official" else LEGACY_DIR)
        source = read_source(folder)
        rows.append(
            {
                "key": t.key,
                "level": t.level,
                "title": t.title,
                "as_of": t.as_of,
                "next_update": t.next_update,
                "stale": t.stale,
                "certificates": t.certificates,
                "tsa_certificates": t.tsa_certificates,
                "sha256": t.sha256,
                "source": t.source,
                "licence": source.get("licence"),
                "refreshed": source.get("refreshed"),
            }
        )
    if as_json:
        out = {
            "directory": str(target),
            "lists": rows,
            "problems": list(installed.problems),
            "notes": list(installed.notes),
        }
        click.echo(json.dumps(out, indent=2))
        return
    click.echo(f"trust lists in {target}")
    if not rows and not installed.problems:
        click.echo(
            "  none installed: signer trust is not checked. Install them with\n"
            "  vidsleuth trust refresh --from <copy of c2pa-org/conformance-public> "
            "[--legacy-from <copy of contentauth/verify-site>]"
        )
    for r in rows:
        click.echo(
            f"  {r['level']:<8} {r['title']}: {r['certificates']} certificates"
            f"{' + ' + str(r['tsa_certificates']) + ' TSA' if r['tsa_certificates'] else ''}, "
            f"as of {r['as_of'] or '?'}"
            f"{' (PAST ITS NEXT UPDATE ' + str(r['next_update']) + ')' if r['stale'] else ''}; "
            f"{r['source'] or 'source unknown'}; licence {r['licence'] or '?'}; sha256 {r['sha256']}"
        )
    for line in installed.notes:
        click.echo(f"  note: {line}")
    for line in installed.problems:
        error(line)
    if installed.problems:
        sys.exit(int(ExitCode.USAGE))
