"""The classifier's life outside a run, as plain functions: ``evaluation`` (score it on a labelled
JSONL file; ``copytrace evaluate``) and ``training`` (train a candidate on the synthetic pairs and
the operators' corrections, and decide whether it replaces the active model; wrapped by
``tasks/training.py``). The estimators themselves are in the top-level ``models/``, which imports
nothing of copytrace. Nothing is re-exported here: import a name from its module.
"""
