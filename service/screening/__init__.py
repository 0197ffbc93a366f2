"""Screening: the per-process index of the active list versions, screening and comparison
answers, and names read from and results written to CSV, on top of the matching engine."""
