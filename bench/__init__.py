"""`make bench` scripts: figures printed as JSON, never a pass/fail. Not part of the wheel."""
