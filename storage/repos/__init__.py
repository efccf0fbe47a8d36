"""Repositories: they read and write within the caller's transaction and never commit."""
