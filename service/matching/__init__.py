"""Name matching: normalisation, pairwise scoring and an in-memory screening index."""
