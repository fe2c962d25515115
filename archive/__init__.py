"""The SQLite archive, written through sqlite-utils."""
