"""The pure, typed experiment model: no I/O and no driver imports."""
