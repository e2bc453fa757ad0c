"""The ``copytrace`` command line (Typer): ``app`` builds it and is the entry point; one module per
group of commands; ``runners`` is the one module that starts flows.

Heavy imports (Prefect, the flows, the model) happen inside the commands, so ``--help`` is instant.
"""
