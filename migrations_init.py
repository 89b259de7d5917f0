"""The seed guide's `python3 migrations_init.py`: the same as `talento init-db`."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from talento.cli import main  # noqa: E402

if __name__ == "__main__":
    main(args=["init-db"], prog_name="migrations_init.py")
