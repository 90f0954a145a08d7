"""Root conftest: each environment collects its own tests and loads its own fixtures.

The app environment (.venv, Python 3.11) and the bot environment (.venv-bot,
Python 3.10, Rasa) share tests/ but not their libraries.
"""

import importlib.util

BOT_ENV = importlib.util.find_spec("rasa_sdk") is not None
BOT_DIRS = ["actions", "channels"]

if BOT_ENV:
    pytest_plugins = ["tests.support.bot_fixtures"]
    collect_ignore = ["oirs", "admin", "e2e", "bot", "assist"]
else:
    pytest_plugins = ["tests.support.app_fixtures"]
    collect_ignore = BOT_DIRS
