"""The emulator's SQLite store: `database` (the Store), `schema` (tables, SQL), `rows` (records <-> rows),
`query` (what a read asks for: filters and a page), `scan_keys` (picture search's packed scan),
`upload_queue` (pending deliveries)."""
