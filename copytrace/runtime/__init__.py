"""What a run's process holds and how it behaves: ``scoring`` (the pair classifier loaded once per
process, registered in the database), ``process`` (its heap settled once the model is loaded, the
children it starts dying with it) and ``prefect_env`` (Prefect's offline defaults, set at the CLI's
edge before Prefect is imported). Nothing is re-exported here: import a name from its module.
"""
