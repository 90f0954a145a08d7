"""Fixtures for tests that run in the bot environment (actions, channels)."""
