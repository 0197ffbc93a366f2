"""Documents cross-reference: ingest texts, find mentions, check designation claims."""
