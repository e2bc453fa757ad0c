"""The bundled copytrace dashboard (Dash): it reads only the views of ``sql/views``.

Reading nothing but the documented views (docs/schema.md) is deliberate: the dashboard is the proof
that the view contract is enough to build one, on SQLite and PostgreSQL alike.
"""
