"""Use cases: each one thing a user or an operator asks of the service, written once.

Views and CLI commands parse their input, call one of these with `*, session`, commit once and
dump the result, so the API and the CLI cannot drift apart.
"""
