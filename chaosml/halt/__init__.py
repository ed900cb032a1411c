"""Halt switches that reach every run (docs/safety.md).

A halt lives in a *source*: the account's file (scope ``user``), the machine-wide file (scope
``machine``), or a team/cluster source named by a URL (``postgresql://``, ``k8s://``,
``http(s)://``). ``board.HaltBoard`` polls every configured source for one run or game day.
"""
