"""How the pair classifier does on what it has not seen: leave-one-group-out folds.

    python -m models.generalisation                       # all folds, writes docs/generalisation.{md,json}
    python -m models.generalisation --folds llm,short --scale 0.3 --jobs 2 --out /tmp/g.md

A random split flatters a classifier whose training pairs are made from a few corpora: the
test pairs come from the same rewriters, domains and wrapper sites. Each fold here retrains the
pipeline (``models.classifier.build_pipeline``) with one *group* left out of training and scores
it on that group's pairs only:

    split     the plain document/site split of ``models.synth.split`` (the reference)
    llm       one L2R rewriter (4 folds): no pair holding that LLM's text is trained on
    domain    one L2R domain family (``corpora.L2R_DOMAIN_FAMILIES``, 4 folds)
    wrapper   one wrapper page family (``corpora.WRAPPER_FAMILIES``, 4 folds)
    short     copies under ``SHORT_COPY_WORDS`` words: trained on longer copies only

Every fold trains on the *train* split minus the group and tests on the *test* split's pairs of
the group, so no source document or wrapper site is on both sides either. Beside the pipeline,
the containment + LCS logistic regression (``models.baseline``) is fitted on the same folds.

Per fold: macro-F1 over the user-facing labels present in the fold's truth (``pairs.to_label``)
and F1 per label; verbatim copies (truth full-copy / excerpt / spam-wrapped) predicted
``independent``; the false-``rewrite`` rate on same-topic independent pairs
(``synth.labelled.SAME_TOPIC_KINDS``); the expected calibration error (15 bins) of the
confidence (the largest class probability, right when that class is the true pair class);
and direction accuracy on rewrite pairs (no dates: ``models.direction.orient_texts`` with both
directions' probabilities, the two texts given in a seeded random order).

The modules:

    folds     the held-out groups and the folds made of them
    metrics   every figure of one model on one fold's test pairs
    retrain   each fold's pipeline and baseline fitted and scored, folds in parallel processes
    report    the report as a dict, as Markdown, and both written to disk
    cli       the command line (``python -m models.generalisation``)

A training flow's promotion decision compares two fitted pipelines with these metrics on a frozen
evaluation set: ``models.promotion``.
"""
