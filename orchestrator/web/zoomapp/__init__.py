"""The Zoom App the host opens in the meeting (server side)."""
