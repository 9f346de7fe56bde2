"""Clients that record every exchange, the one failure type and its formatter, and curl rendering."""
