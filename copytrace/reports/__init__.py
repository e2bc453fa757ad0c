"""What copytrace reports, as plain data and Markdown, for the CLI, the Prefect artifacts and the
dashboard: ``run_summary`` (a run's figures), ``artifacts`` (the findings, new spam networks and
bad inputs a run's artifacts show), ``provenance`` (the ``copy_provenance`` rows and how a copy's
direction was decided), ``daily`` (the daily report), ``networks`` (spam networks), ``alerts``
(what the spam-wrapped spike alert lists), ``titles`` (the title shown for a copy), ``links``
(links to the dashboard) and ``formatting`` (escaping and wording they share). Nothing is
re-exported here: import a name from the module that defines it.
"""
