"""The hardening sweep of issue #11 as part of the test suite: seeds, a seeded mutator, a runner that
runs the CLI on each file in a resource-limited subprocess, and the suites built on them.

    python -m tests.fuzz.campaign --files 600 --seed 11     # the campaign, with its figures
"""
