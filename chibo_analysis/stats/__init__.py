"""Statistics for comparing cells fairly (issue 4, part 5).

Each function takes plain counts (numpy arrays, lists or pandas Series) and
returns a DataFrame or a small frozen result object that unpacks like a
statsmodels result (``kappa, low, high = ...``) and names its fields.

========================== ==================================================
module                     what
========================== ==================================================
:mod:`.funnel`             funnel-plot limits, exact binomial, overdispersion
:mod:`.control`            p-chart and Laney p' chart
:mod:`.agreement`          weighted Cohen's kappa and the confusion table
:mod:`.shrinkage`          empirical-Bayes beta-binomial rates
:mod:`.trend`              Cochran-Armitage test for trend in proportions
:mod:`.sampling`           attribute sampling for inspections
========================== ==================================================

Nothing is imported here at import time; import the submodule you need.
"""
