"""`python -m vidsleuth` runs the command-line tool."""

from vidsleuth.cli.main import main

main()
