"""Exit codes of the `vidsleuth` command, documented in docs/cli.md."""

OK = 0  # every input was analysed (whatever the verdict)
USAGE = 2  # bad options or arguments (click's own code)
BAD_INPUT = 3  # at least one input could not be analysed (missing, not a video, truncated...)
REPORT_FAILED = 4  # a report could not be written
INTERNAL = 5  # an unexpected internal error (a bug: please report it with --debug output)
BANK_FAILED = 6  # a fingerprint-bank operation failed (bad import row, newer bank, unreachable database)
