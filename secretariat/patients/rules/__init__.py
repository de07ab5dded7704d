"""Pure functions applying identity and regulatory rules (no ORM, no models)."""
