"""Picture search (seed 002): behaviour, answer fields and time fields."""
