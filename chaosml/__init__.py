"""chaosml: chaos-engineering experiments for ML infrastructure."""

__version__ = "0.1.0"
