"""The audit trail: who saw or changed what, append-only (DESIGN « Who sees what »)."""
