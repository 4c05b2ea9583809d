"""Batch analysis: many inputs, one resumable run, results in a store (issue #15)."""
