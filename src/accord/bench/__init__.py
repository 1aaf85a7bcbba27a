"""Benchmarks, shipped with the package so that `accord bench` runs from an installed wheel:
`pages` (the register's pages at national scale), `load` (the production server under
concurrent load: `accord bench --load`), `scoring` and `appraisal` (the engines); with
`--insights` (read by `pages`), `insights`: the national picture and the findings."""

from __future__ import annotations


def main(argv: list[str]) -> int:
    """`accord bench [OPTIONS]`, or `accord bench --load [OPTIONS]` for the load test."""
    # `accord bench -- --requests 10`: the separator that gets options past `accord`'s own parser.
    if argv and argv[0] == "--":
        argv = argv[1:]
    if "--load" in argv:
        from . import load

        return load.main([a for a in argv if a != "--load"])
    if "--reports" in argv:  # a board pack's page and PDF, on the demo (bench/reports.py)
        from . import reports

        return reports.main([a for a in argv if a != "--reports"])
    from . import pages

    return pages.main(argv)


__all__ = ["main"]
