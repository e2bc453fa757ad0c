"""``python -m copytrace.cli``: the ``copytrace`` command."""

from copytrace.cli.app import main

if __name__ == "__main__":
    main()
