"""Presentation: what a reader sees, in Vietnamese (default) or English.

``study_data`` computes what each chart and table of a study draws;
``charts`` draws it (``plot_x(result, *, ax=None) -> Axes``); ``display``
and ``report_tables`` turn result frames into the reader's tables;
``findings`` writes the findings as sentences; ``pseudonyms`` hides members
in shared reports. The texts come from :mod:`chibo_analysis.labels`.
"""
