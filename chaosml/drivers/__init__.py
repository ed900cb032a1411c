"""The plugin boundary: driver contracts (base), the registry, and one module per backend."""
