"""Console, journal writer and pure renderers (markdown, html, junit)."""
