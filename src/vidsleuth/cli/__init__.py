"""The command-line front end: parse, call `analyze`, render. No analysis logic lives here."""
