"""Telemetry: what CI and the AI product report (eval runs, confidence scores, outcomes), the
ingest API and `opsbot ingest` that take it, the tokens that guard them, and the rollups that
the dashboard, incidents and releases read. It imports no other domain: the others read it
through ``opsbot.telemetry.store`` and react to it through the ``eval_run_hooks`` and
``after_ingest`` seams on the Context.
"""
