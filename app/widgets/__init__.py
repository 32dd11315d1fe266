"""Reusable Qt widgets (GUI thread only)."""
