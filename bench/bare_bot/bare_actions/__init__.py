"""The bare bot's custom actions (bench/turns.py)."""
