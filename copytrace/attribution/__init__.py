"""Who copied whom: candidate pairs → directed derivations → parents, roots and stories.

Plain functions over in-memory documents, so the logic is tested without a database
or Prefect. The pair classifier is asked about both directions of every candidate
pair (only earlier → later when both carry dates); which way a derived pair goes is its
own decision (``models.direction``: dates, then the text's signals), stored with its
evidence beside the copy's label.

``attribute.attribute`` runs the steps, one module each: ``pairs`` (which pairs reach the
classifier), ``direction`` (which way a derived pair goes), ``chains`` (each copy's parent),
``stories`` (story groups, and what they change in the stored stories) and ``decisions`` (what is
stored for each document, and when a stored copy may change its source); ``types`` holds what they
pass around. Nothing is re-exported here: import a name from the module that defines it.
"""
