"""Cross-interface consistency and the schema of every HTTP operation."""
