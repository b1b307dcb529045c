"""Ready-made network templates that reproduce published experiments."""
from spikey.experiments.florian2007 import (
    FlorianTemporalXOR,
    FlorianTemporalXORMSTDP,
    FlorianXOR,
    FlorianXORMSTDP,
    XORRates,
)

__all__ = ["FlorianXOR", "FlorianXORMSTDP", "FlorianTemporalXOR", "FlorianTemporalXORMSTDP", "XORRates"]
