"""Wizard pages: each a thin Qt widget over a headless `*_logic` module (tested without Qt)."""
