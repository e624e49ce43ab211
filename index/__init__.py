"""Embedding, storage and retrieval of chunks."""
