"""The admin refuses to serve anything beyond this machine with the development secret, and
marks its session cookie Secure whenever it is not on localhost (admin/startup.py)."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from pathlib import Path

import pytest

from admin import create_app
from oirs.settings import PROJECT_ROOT, ConfigurationError, Settings

SECRET = "k" * 40
GUNICORN = Path(PROJECT_ROOT) / ".venv" / "bin" / "gunicorn"


def environment(tmp_path: Path, **variables: str) -> dict[str, str]:
    return {
        "OIRS_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'oirs.db'}",
        **variables,
    }


@pytest.mark.parametrize(
    "bind", ["0.0.0.0:8000", "[::]:8000", "192.168.1.20:8000", "oirs.muni.cl:80", ":8000"]
)
def test_a_bind_beyond_localhost_without_the_secret_refuses_to_start(
    tmp_path: Path, bind: str
) -> None:
    settings = Settings.from_env(environment(tmp_path, OIRS_ADMIN_BIND=bind))
    with pytest.raises(ConfigurationError, match="OIRS_SECRET_KEY"):
        create_app(settings)


def test_a_short_secret_is_refused_beyond_localhost_too(tmp_path: Path) -> None:
    env = environment(tmp_path, OIRS_ADMIN_BIND="0.0.0.0:8000", OIRS_SECRET_KEY="corta")
    with pytest.raises(ConfigurationError, match="OIRS_SECRET_KEY"):
        create_app(Settings.from_env(env))


@pytest.mark.parametrize("bind", ["127.0.0.1:8000", "localhost:8000", "[::1]:8000", "127.0.0.2"])
def test_localhost_development_starts_without_the_secret(tmp_path: Path, bind: str) -> None:
    app = create_app(Settings.from_env(environment(tmp_path, OIRS_ADMIN_BIND=bind)))
    assert app.config["SESSION_COOKIE_SECURE"] is False


def test_beyond_localhost_with_the_secret_the_session_cookie_is_secure(tmp_path: Path) -> None:
    env = environment(tmp_path, OIRS_ADMIN_BIND="0.0.0.0:8000", OIRS_SECRET_KEY=SECRET)
    app = create_app(Settings.from_env(env))
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True


def test_behind_a_proxy_on_localhost_the_secret_is_required_too(tmp_path: Path) -> None:
    """Bound to 127.0.0.1 behind nginx (OIRS_PROXIES_COUNT), the admin is served to everyone
    the proxy serves: the development secret would let anyone forge a staff session."""
    env = environment(tmp_path, OIRS_ADMIN_BIND="127.0.0.1:8000", OIRS_PROXIES_COUNT="1")
    with pytest.raises(ConfigurationError, match=r"OIRS_SECRET_KEY.*OIRS_PROXIES_COUNT"):
        create_app(Settings.from_env(env))


def test_behind_a_proxy_on_localhost_the_session_cookie_is_secure(tmp_path: Path) -> None:
    """The proxy terminates TLS and speaks http to 127.0.0.1: the cookie the browser gets
    through it must still be https-only, in development mode as in production."""
    env = environment(
        tmp_path,
        OIRS_ADMIN_BIND="127.0.0.1:8000",
        OIRS_PROXIES_COUNT="1",
        OIRS_SECRET_KEY=SECRET,
    )
    app = create_app(Settings.from_env(env))
    page = app.test_client().get(
        "/ingresar",
        headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "200.1.1.1"},
        environ_base={"REMOTE_ADDR": "127.0.0.1"},
    )
    (cookie,) = [c for c in page.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert "; Secure" in cookie and "; HttpOnly" in cookie


def test_gunicorns_own_bind_options_count(tmp_path: Path) -> None:
    from admin.startup import gunicorn_binds

    argv = ["gunicorn", "--workers", "2", "--bind", "0.0.0.0:8000", "admin:create_app()"]
    assert gunicorn_binds(argv, {}) == ["0.0.0.0:8000"]
    assert gunicorn_binds(["gunicorn", "-b", "10.0.0.5:80", "-b", "127.0.0.1:1"], {}) == [
        "10.0.0.5:80",
        "127.0.0.1:1",
    ]
    assert gunicorn_binds(["gunicorn", "--bind=[::]:8000", "app"], {}) == ["[::]:8000"]
    from_env = {"GUNICORN_CMD_ARGS": "--bind 0.0.0.0:9000 --workers 3"}
    assert gunicorn_binds(["gunicorn", "admin:create_app()"], from_env) == ["0.0.0.0:9000"]
    # no bind anywhere: gunicorn's default, all addresses when PORT is set (as on a PaaS)
    assert gunicorn_binds(["gunicorn", "app"], {}) == ["127.0.0.1:8000"]
    assert gunicorn_binds(["gunicorn", "app"], {"PORT": "5000"}) == ["0.0.0.0:5000"]
    # the Procfile's config file binds OIRS_ADMIN_BIND, which create_app reads itself
    conf = ["gunicorn", "-c", "admin/gunicorn_conf.py", "admin:create_app()"]
    assert gunicorn_binds(conf, {"PORT": "5000"}) == []


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize("how", ["procfile", "command_line"])
def test_gunicorn_on_all_addresses_without_the_secret_stops_with_a_clear_error(
    tmp_path: Path, how: str
) -> None:
    """The Procfile's command with OIRS_ADMIN_BIND on every address, or gunicorn given a public
    --bind by hand: either must stop and name the variable."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("OIRS_", "DATABASE_", "GUNICORN_", "FLASK_"))
    }
    env.update(environment(tmp_path))
    bind = f"0.0.0.0:{free_port()}"
    command = [str(GUNICORN), "--workers", "1", "--bind", bind, "admin:create_app()"]
    if how == "procfile":
        env["OIRS_ADMIN_BIND"] = bind
        command = [str(GUNICORN), "-c", "admin/gunicorn_conf.py", "admin:create_app()"]
    process = subprocess.Popen(
        command,
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 30
    while process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
    if process.poll() is None:  # still serving: the hole this test is about
        process.terminate()
        process.wait(timeout=10)
        pytest.fail(f"the admin served {bind} with the development secret")
    assert process.returncode != 0
    stderr = process.stderr.read() if process.stderr else ""
    assert "OIRS_SECRET_KEY" in stderr
