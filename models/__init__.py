"""copytrace's pair classifier: (source, copy) → independent / full-copy / excerpt / rewrite / spam-wrapped.

Pure scikit-learn + NumPy; imports nothing from the rest of copytrace (no Prefect, no
database), and importing the package loads nothing — see ``models.registry.load_default``.
"""
