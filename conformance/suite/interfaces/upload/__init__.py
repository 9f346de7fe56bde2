"""Uploads (seed 003) and the upload setting (reference history-event-url-config)."""
