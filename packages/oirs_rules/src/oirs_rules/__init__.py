"""Rules both Python environments need, written once: how residents write contacts, places, names.

The bot (Rasa, Python 3.10) and the admin (Flask, Python 3.11) cannot import each other; what
both must decide the same way lives here, with only small well-kept libraries underneath.
"""
