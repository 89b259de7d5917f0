"""The seed guide's `python3 migrations_init.py`: the same as `talento init-db`.

Run with the system `python3`, it re-executes itself with the project's `.venv` interpreter
when the dependencies are not importable, so the guide's command works as written.
"""

import os
import sys
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(PROJECT_DIR))

try:
    import flask  # noqa: F401
except ImportError:
    venv_python = PROJECT_DIR / ".venv" / "bin" / "python"
    if venv_python.exists() and Path(sys.executable).resolve() != venv_python.resolve():
        os.execv(str(venv_python), [str(venv_python), __file__, *sys.argv[1:]])  # noqa: S606
    sys.exit("Dépendances absentes : lancez `make install` (ou activez .venv) puis réessayez.")

from talento.cli import main  # noqa: E402

if __name__ == "__main__":
    main(args=["init-db"], prog_name="migrations_init.py")
