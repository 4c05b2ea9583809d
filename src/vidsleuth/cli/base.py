"""What every `vidsleuth` command shares: one way to print an error and one place that maps errors to
exit codes.

Commands raise; they do not print errors or exit themselves. The group's `main` catches:

- a `VidsleuthError`: its message on one line, exit with the code the error carries (`core.errors`);
- a click usage error (bad option, bad choice): one line too, exit 2, no usage dump;
- Ctrl-C: "interrupted", exit 130;
- anything else: a bug, "internal error: ...", exit 5 (with the traceback when --debug was given).

`check` handles per-file errors itself, because one bad file must not stop the others; it uses `error`
to print them the same way.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable, Sequence
from typing import Any, NoReturn, TypeVar

import click

from vidsleuth.core.errors import ExitCode, VidsleuthError

F = TypeVar("F", bound=Callable[..., Any])


def error(message: str) -> None:
    """Print one error line on stderr."""
    click.echo(click.style("error: ", fg="red", bold=True) + message, err=True)


def fail(exc: VidsleuthError) -> NoReturn:
    """Print `exc` and exit with its code (for a command that must stop before the group would)."""
    error(str(exc))
    sys.exit(int(exc.exit_code))


def debug_option(fn: F) -> F:
    """--debug: show tracebacks of internal errors (read by `Group.main` from the command line)."""
    return click.option(
        "--debug", is_flag=True, expose_value=False, help="Show tracebacks of internal errors."
    )(fn)


def _one_line(text: str) -> str:
    return " ".join(text.split())


class _OneLineErrors:
    """`main` of the `vidsleuth` commands: every error of the command (and of its subcommands) ends here,
    as one line and an exit code. Subcommands run inside their group's `main`; their own `main` is only
    used when one is invoked on its own (as tests do)."""

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None, **extra: Any) -> NoReturn:
        try:
            extra.pop("standalone_mode", None)
            command: click.Command = self  # type: ignore[assignment]
            with command.make_context(prog_name or "vidsleuth", list(args or sys.argv[1:]), **extra) as ctx:
                command.invoke(ctx)
            sys.exit(int(ExitCode.OK))
        except click.exceptions.Exit as exc:  # --help, --version, or a command's own exit code
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            hint = ""
            if isinstance(exc, click.UsageError) and exc.ctx is not None:
                hint = f" (see: {exc.ctx.command_path} --help)"
            error(_one_line(exc.format_message()) + hint)
            sys.exit(exc.exit_code)
        except click.Abort:
            error("interrupted")
            sys.exit(130)
        except VidsleuthError as exc:
            fail(exc)
        except KeyboardInterrupt:
            error("interrupted")
            sys.exit(130)
        except Exception as exc:  # a bug: one line, the traceback only when asked for
            error(f"internal error: {type(exc).__name__}: {_one_line(str(exc))}")
            if _debug_requested(args):
                traceback.print_exc()
            sys.exit(int(ExitCode.INTERNAL))


def _debug_requested(args: Sequence[str] | None) -> bool:
    return "--debug" in (args if args is not None else sys.argv[1:])


class Group(_OneLineErrors, click.Group):  # type: ignore[misc]
    """A command group whose errors are one line and an exit code."""


class Command(_OneLineErrors, click.Command):  # type: ignore[misc]
    """A command whose errors are one line and an exit code."""
