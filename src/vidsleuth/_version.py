"""The tool's version, written into every report."""

__version__ = "0.1.0"
