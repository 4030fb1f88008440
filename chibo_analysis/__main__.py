"""``python -m chibo_analysis``: the ``chibo`` command."""

from chibo_analysis.commands.cli import console

console()
