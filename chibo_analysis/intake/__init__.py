"""Intake: files in, typed tables out.

``readers`` opens CSV, XLSX and Parquet files as text cells; ``parse`` turns
those cells into typed values (day-first dates, ``50.000`` amounts, category
labels) and records what it could not read; ``load`` matches files and
headers to the tables of :mod:`chibo_analysis.schema` and builds a
:class:`~chibo_analysis.dataset.Dataset`. ``template`` writes the
data-collection workbook and ``formatdoc`` the data-format page, both from
the same schema. Nothing here computes an indicator.
"""
