"""Issue 14 part A: how small a fault each alert still catches (the sensitivity search) and
which harmful faults fire no alert (the silent-failure matrix). docs/sensitivity.md,
docs/silent-failures.md."""
