"""``python -m models.generalisation``: the command line of ``models.generalisation.cli``."""

from models.generalisation.cli import main

main()
