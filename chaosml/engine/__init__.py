"""The engine: one short function per phase, the rollback stack, blast radius, guards, clock."""
