"""One running stack (admin + actions + Rasa) shared by every end-to-end test of the session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e.stack import Stack, running_stack


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    data_dir = tmp_path_factory.mktemp("e2e")
    with running_stack(data_dir, f"sqlite:///{data_dir / 'oirs.db'}") as running:
        yield running
