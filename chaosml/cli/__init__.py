"""The command line: one module per command; the only place outcomes become exit codes."""
