"""How the pair classifier does on what it has not seen: leave-one-group-out folds.

The command line of ``models.generalisation`` (``python -m models.generalisation --help``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from models.corpora import DEFAULT_DATA_DIR
from models.generalisation.folds import FOLD_FAMILIES
from models.generalisation.report import DEFAULT_OUT, generalisation_report, write_report

COMMAND = "python -m models.generalisation"  # how the report says it was written


def _log(line: str) -> None:
    print(line, flush=True)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog=COMMAND, description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(DEFAULT_DATA_DIR), help="the shared data directory")
    parser.add_argument(
        "--folds",
        default=",".join(FOLD_FAMILIES),
        help=f"comma-separated fold families ({', '.join(FOLD_FAMILIES)}) or single folds (llm:GPT-4o)",
    )
    parser.add_argument("--scale", type=float, default=1.0, help="pairs per document multiplier (smaller: quicker)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--jobs", type=int, default=2, help="folds fitted at once (processes)")
    parser.add_argument("--max-train", type=int, default=None, help="cap each fold's training pairs (seeded sample)")
    parser.add_argument("--out", default=str(DEFAULT_OUT), help="the Markdown report; the JSON goes beside it")
    parser.add_argument(
        "--no-style",
        action="store_true",
        help="without the machine-style model: its pair feature columns read 0 and rewrites are oriented "
        "without it (quicker)",
    )
    args = parser.parse_args(argv)
    out = Path(args.out)
    families = [f.strip() for f in args.folds.split(",") if f.strip()]
    report = generalisation_report(
        args.data,
        families,
        scale=args.scale,
        seed=args.seed,
        jobs=args.jobs,
        max_train=args.max_train,
        log=_log,
        style=not args.no_style,
    )
    args_given = argv if argv is not None else sys.argv[1:]
    report["meta"]["command"] = " ".join([COMMAND, *args_given])
    text = write_report(report, out)
    print(text)
    print(f"wrote {out} and {out.with_suffix('.json')} in {report['meta']['seconds'] / 60:.1f} minutes", flush=True)
    return report
