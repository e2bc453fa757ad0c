"""The ingest pipeline's units of work as plain functions, one stage a module: ``storing`` (store a
batch of landing files), ``left_behind`` (what a killed run stored and did not classify),
``classifying`` (classify a batch of documents), whose decisions ``writing`` writes and whose copies
that gave up their source have their stories worked out again by ``redeciding``; ``ingesting`` runs a
run's stored batches through classifying in the order that decides the provenance (the flow with its
tasks, the ingest bench and tests with these functions); ``results`` holds what the stages return.

Each stage opens one session at its boundary (``with factory.begin()``), so a batch is stored
or classified completely or not at all. Prefect tasks in ``tasks/`` wrap these. Nothing is
re-exported here: import a stage's function from its module.
"""
