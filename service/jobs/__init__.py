"""Batch screening jobs: names stored in chunks, screened by whichever process leases a chunk.

- `store`: creating, reading and cancelling jobs, and their results.
- `execute`: leasing a chunk, screening it, and recording it (shared by both runners).
- `runner`: the in-process runner (threads of the server process).
- `tasks`: the RQ path (`xref worker` processes sharing the database through Redis).

A job's input, progress and results live in the database, chunk by chunk, so a restart loses
at most the chunks being screened at that moment: their leases run out and another process
takes them over.
"""
