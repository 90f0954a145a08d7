"""Root conftest: loads the fixtures of whichever environment runs pytest.

The app environment (.venv, Python 3.11) and the bot environment (.venv-bot,
Python 3.10, Rasa) share tests/ but not their libraries.
"""

import importlib.util

pytest_plugins = (
    ["tests.support.bot_fixtures"]
    if importlib.util.find_spec("rasa_sdk") is not None
    else ["tests.support.app_fixtures"]
)
