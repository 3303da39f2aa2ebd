"""Live meeting support: matching the people in the Zoom meeting to the breakout plan (pure, no I/O)."""
