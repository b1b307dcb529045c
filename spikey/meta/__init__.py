"""Aggregate analysis on Ray Tune: Series of key values with repeats, and a genetic Population search.

:class:`Series` runs one experiment over a series of key values, each
configuration's repeats as one batched network in one Tune trial, and
returns a DataFrame with aggregates over repeats. :class:`Population` is a
genetic algorithm as a Tune ``Searcher``. :func:`search_space` turns Key
declarations into Tune search spaces for Tune's own searchers, and
:func:`run` runs any of them on a Spikey experiment. Importing
``spikey.meta`` imports Ray Tune (a Population is a Tune ``Searcher``); a
local Ray starts only when an experiment runs.
"""
from spikey.meta.population import Population
from spikey.meta.series import Series, configurations
from spikey.meta.spaces import declared_keys, search_space
from spikey.meta.trial import run

__all__ = ["Series", "Population", "configurations", "search_space", "declared_keys", "run"]
