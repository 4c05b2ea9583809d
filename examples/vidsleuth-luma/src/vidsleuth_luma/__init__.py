"""Example vidsleuth signal plugin: brightness over time (see README.md)."""
