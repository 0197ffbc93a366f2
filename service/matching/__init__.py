"""The matching engine: normalisation, keys, weights, scoring and the candidate index.

It imports nothing from the service outside this package (no database, no web): service.screening
feeds it the names of the active versions and turns its matches into answers.
"""
