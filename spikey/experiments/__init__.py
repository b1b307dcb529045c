"""Ready-made network templates that reproduce published experiments."""
from spikey.experiments.florian2007 import FlorianXOR

__all__ = ["FlorianXOR"]
