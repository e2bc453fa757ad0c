"""The candidate index: which stored documents may be a copy's source.

``candidates.CandidateIndex`` is its face; ``fingerprints`` and ``postings`` work on texts and posting
lists alone, ``shingles`` and ``terms`` look candidates up, ``writes`` and ``maintenance`` keep it.
This package imports nothing itself: ``copytrace.repo.documents`` writes a new document's rows through
``writes``, and ``candidates`` reads the store's size through ``copytrace.repo.documents``.
"""
