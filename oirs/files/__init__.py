"""Attachments and where their files are stored."""
