"""The driver contract's data: what the engine, the model, the journal and the drivers exchange.

Plain data only (no driver, no engine): parameters (``params``), undo records and evidence
(``records``), probe samples (``sample``), blast-radius targets (``targets``), the context of a
driver call (``context``) and the roles of the driver catalogue (``catalogue``). The driver
classes themselves live in ``chaosml.drivers.base``; docs/architecture.md has the layers.
"""
