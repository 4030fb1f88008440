"""Checks: every problem in a loaded dataset, one row each, nothing changed.

``validation`` runs the per-table checks (types, ranges, keys) and then
``cross_table`` (references, organisation tree, lifetimes, date order),
``memberships`` (register rows against rolls, dues months) and
``minutes_counts`` (counts written in the minutes against the register). The
result is a :class:`~chibo_analysis.problems.ValidationReport`.
"""
