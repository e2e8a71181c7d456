"""The index on disk and in memory, and the one maintenance path that changes it.

``maintain`` is the door every change goes through (under a lock across processes); ``store``
writes and opens generations; ``bm25`` scores; ``coverage`` is what readers query; ``live``
swaps a running process onto a new index. Imports ``ingest`` and the shared root modules.
"""
