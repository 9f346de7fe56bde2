"""The small v2 calls: login, software version, device list, getevent, getspotimage."""
