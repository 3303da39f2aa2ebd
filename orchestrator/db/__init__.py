"""The SQL store: models, engine/session handling and migrations."""
