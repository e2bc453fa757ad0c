"""Reproducible labelled (source, copy) pairs built from the public corpora.

What a scraper varies, we vary: which part of the article it keeps (lead, middle,
tail, scattered sentences, trimmed edges, extractive summaries), how it re-flows
whitespace and quotes, whether it keeps the headline and the source's own byline or
syndication footer, what it wraps around the text (real navigation/ads/paywall lines
of news sites, modern cookie/newsletter snippets, sponsor lines, link lists) and
where (header, footer, between paragraphs), and whether the wrapped core is verbatim
or itself a rewrite. Rewrites are real (L2R LLM rewrites, Webis crowd paraphrases,
alone or stitched into article-length texts, partly rewritten, with passages dropped
or repeated) plus light word-level edits of news. Independent pairs are unrelated
texts, same-topic nearest neighbours, same-names "coverage" of another article, and
the reverse direction of every asymmetric derived pair.

What the world adds (see ``pairs.NEWS_PLAN``/``pairs.REWRITE_PLAN``): short texts (150-300 words)
of every class, cut-and-paste from several places of one source (or of two) with light
edits, creative LLM rewrites (the least verbatim ones, a quote kept) and rewrites
reordered inside paragraphs, human paraphrase at passage and answer length, and
same-topic independent pairs from every corpus — BBC articles of one category that
share names and numbers, two human texts of one L2R domain, an LLM rewrite of one text
against another text of its domain.

Every pair carries the groups it can be held out by (``llm``, ``domain``,
``wrapper_site``, ``copy_words``; ``models.generalisation`` makes folds of them).

The split is made before any fit: by document group (duplicates and near duplicates
together) and by wrapper site (a quarter of each wrapper family's sites), so test pairs
never share a source text or a wrapper site with training pairs. Everything is driven by
one seed.

The modules, lowest first:

    labelled   ``LabelledPair`` (what ``build_pairs`` returns), ``Made`` (what a generator makes),
               ``SAME_TOPIC_KINDS``
    split      which side of the split a document group or a wrapper site is on
    surface    edits of the surface: cuts, word edits, quote/whitespace restyling, rendering
    wrappers   ``WrapperPool``: spam-wrapper lines around a copy
    news       ``NewsPairs``: pairs made from BBC articles
    rewrites   ``RewritePairs``: pairs made from L2R LLM rewrites and Webis crowd paraphrases
    pairs      ``build_pairs``: the plans, the reversed pairs, both sides of the split

The corpus readers they use are ``models.corpora`` (also read by the style model's data and the
evaluation folds, so not part of this package).
"""
