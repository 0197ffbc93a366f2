"""Security: API keys and scopes, rate limiting, and the request body limit.

`keys` (creating, listing, revoking and identifying keys) needs only the database, so the
`xref keys` commands run without Flask; the Flask wiring is `middleware`, and the modules it
wires (`access`, `ratelimit`, `body_size`) are the web edge's.
"""
