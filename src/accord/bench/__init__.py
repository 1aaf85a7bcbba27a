"""Benchmarks, shipped with the package so that `accord bench` runs from an installed wheel:
`pages` (the register's pages at national scale), `scoring` and `appraisal` (the engines)."""

from __future__ import annotations

from .pages import main

__all__ = ["main"]
