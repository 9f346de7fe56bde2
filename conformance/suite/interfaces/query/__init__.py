"""v2 getevents and v1 events: paging, filters, event fields, timestamp units, errors, the state model."""
