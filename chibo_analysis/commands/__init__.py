"""Subcommands of the ``chibo`` CLI, one module each (see :mod:`chibo_analysis.commands.cli`)."""
