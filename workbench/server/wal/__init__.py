"""The write-ahead log: durable, checksummed files written by a single writer task.

``format.py`` encodes and decodes one WAL file; ``wal.py`` owns the writer (group commit,
fsync before acknowledging) and notifies registered ``WalListener``s (the buffer, the caches,
the processing engine) after each durable flush; ``replay.py`` reads the files back at startup.
The WAL imports none of its listeners.
"""
