"""Palsy Grader application: Qt GUI, camera sources, records, reports and the `palsy` CLI."""

__version__ = "0.1.0"
