"""Root conftest: each environment collects its own tests and loads its own fixtures.

The app environment (.venv, Python 3.11) and the bot environment (.venv-bot,
Python 3.10, Rasa) share tests/ but not their libraries.
"""

import importlib.util
from pathlib import Path

BOT_ENV = importlib.util.find_spec("rasa_sdk") is not None
BOT_DIRS = ["actions", "api_client", "channels", "nlu", "rasa_runtime"]
# pure tests both environments run: the shared rules must hold on Python 3.10 and 3.11 alike
SHARED_DIRS = ["rules"]
HERE = Path(__file__).parent

if BOT_ENV:
    pytest_plugins = ["tests.support.bot_fixtures"]
    # everything but the bot folders, including test files at the top of tests/
    collect_ignore = sorted(
        path.name
        for path in HERE.iterdir()
        if path.name not in (*BOT_DIRS, *SHARED_DIRS, "support", "__pycache__")
        and (path.is_dir() or path.name.startswith("test_"))
    )
else:
    pytest_plugins = ["tests.support.app_fixtures"]
    collect_ignore = BOT_DIRS
