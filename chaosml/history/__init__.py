"""The drill history (docs/history.md): every run, game day and sensitivity search recorded in a
store (SQLite by default, PostgreSQL for a team), read back as trends, regressions and alert
coverage.

- ``records``: what is stored, as typed values; ``journals``: journals -> records;
- ``location``: which store (``--history``, ``CHAOSML_HISTORY_URL``, the default file);
- ``backends``: SQLite and PostgreSQL connections; ``migrations``: the versioned schema;
- ``store``: writes (transactional, idempotent) and reads;
- ``trends``: time-to-detect and boundary series, regressions (pure);
- ``hook``: what ``chaosml run``/``gameday``/``sensitivity`` call at their end;
- ``importer``: a journal directory into the store;
- ``rules`` and ``rule_coverage``: Prometheus alerting rules against the history.
"""
