"""Demand analytics: where police, fire and ambulance attend the same incidents (issue 15).

The engine is pure (no Django): `layouts` says how a file's columns become incident fields,
`records` reads and checks the files, `overlap` links the records and counts the joint
incidents, on DuckDB embedded or on Spark. `overlap_cli` is `accord overlap`.
"""
