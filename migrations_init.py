"""The seed guide's `python3 migrations_init.py`: the same as `talento init-db`.

Run with the system `python3`, it re-executes itself with the project's `.venv` interpreter
(where the pinned dependencies are), so the guide's command works as written.
"""

import os
import sys
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(PROJECT_DIR))

VENV_PYTHON = PROJECT_DIR / ".venv" / "bin" / "python"
if VENV_PYTHON.exists() and Path(sys.prefix).resolve() != VENV_PYTHON.parent.parent.resolve():
    # The system python3 lacks the pinned dependencies: use the project's interpreter.
    os.execv(str(VENV_PYTHON), [str(VENV_PYTHON), __file__, *sys.argv[1:]])  # noqa: S606

try:
    from talento.cli import main
except ImportError as exc:  # no .venv yet, or an interpreter without the pinned dependencies
    sys.stderr.write(
        f"Environnement non installé ({exc.name or exc}) : lancez d'abord `make install` "
        "dans le dossier du projet, puis relancez `python3 migrations_init.py`.\n"
    )
    sys.exit(1)

if __name__ == "__main__":
    main(args=["init-db"], prog_name="migrations_init.py")
