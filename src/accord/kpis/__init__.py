"""KPIs: indicators, targets, measurements, and their judgement by statistical process control.

For now the pure parts: :mod:`accord.kpis.spc` (Making Data Count control charts),
:mod:`accord.kpis.status` (the simple status for a board's summary) and the command
`accord kpi spc` (:mod:`accord.kpis.spc_cli`). None of them imports Django.
"""
