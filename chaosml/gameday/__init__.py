"""Game-day drills: a plan of several experiments run in order, one summary, one exit code."""
