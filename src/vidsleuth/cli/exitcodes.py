"""Exit codes of the `vidsleuth` command (docs/cli.md); defined with the errors that carry them."""

from vidsleuth.core.errors import ExitCode

OK = ExitCode.OK
USAGE = ExitCode.USAGE
BAD_INPUT = ExitCode.BAD_INPUT
REPORT_FAILED = ExitCode.REPORT_FAILED
INTERNAL = ExitCode.INTERNAL
BANK_FAILED = ExitCode.BANK_FAILED
INTERRUPTED = ExitCode.INTERRUPTED
