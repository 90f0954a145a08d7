"""Refuse to serve the admin beyond this machine with the development secret.

Production mode already refuses a missing OIRS_SECRET_KEY, but a development-mode admin bound
to 0.0.0.0 signed its sessions with a key anyone can read in this repository. Whatever the
mode, an admin that listens on more than loopback, or sits behind a reverse proxy (which serves
its loopback address to everyone), needs its own secret, and its session cookie is sent over
https only. The addresses are OIRS_ADMIN_BIND (what the Procfile passes
to gunicorn) and, when gunicorn loads the app, the --bind options gunicorn itself was given.
"""

from __future__ import annotations

import ipaddress
import shlex
import sys
from collections.abc import Mapping, Sequence

from oirs.settings import ConfigurationError, Settings

MIN_SECRET_LENGTH = 32
GUNICORN_DEFAULT_BIND = "127.0.0.1:8000"


def bind_host(bind: str) -> str | None:
    """The host of a gunicorn bind ('HOST', 'HOST:PORT', '[V6]:PORT'); None for a socket."""
    if bind.startswith(("unix:", "fd://")):
        return None
    if bind.startswith("["):
        return bind[1:].partition("]")[0]
    if bind.count(":") > 1:  # a bare IPv6 address
        return bind
    return bind.partition(":")[0]


def is_loopback(bind: str) -> bool:
    """Only this machine can connect. A unix socket counts as exposed: in production it is
    what the reverse proxy serves to everyone."""
    host = bind_host(bind.strip())
    if host is None or not host:
        return False
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # any other name may resolve to a public address
        return False


def gunicorn_binds(argv: Sequence[str], environ: Mapping[str, str]) -> list[str]:
    """The addresses gunicorn was told to bind: its command line, else GUNICORN_CMD_ARGS, else
    its default (all addresses on $PORT when PORT is set). A config file's bind is not read
    here: admin/gunicorn_conf.py binds OIRS_ADMIN_BIND, which served_binds counts anyway."""
    from gunicorn.config import Config

    parser = Config().parser()
    configured = False
    for args in (list(argv[1:]), shlex.split(environ.get("GUNICORN_CMD_ARGS", ""))):
        options, _ = parser.parse_known_args(args)
        if options.bind:
            return list(options.bind)
        configured = configured or bool(options.config)
    if configured:
        return []
    port = environ.get("PORT")
    return [f"0.0.0.0:{port}"] if port else [GUNICORN_DEFAULT_BIND]


def served_binds(
    settings: Settings,
    argv: Sequence[str] | None = None,
    environ: Mapping[str, str] | None = None,
) -> list[str]:
    """OIRS_ADMIN_BIND, plus gunicorn's own binds when gunicorn is loading this app."""
    import os

    binds = [settings.admin_bind]
    if "gunicorn.arbiter" in sys.modules:
        binds += gunicorn_binds(sys.argv if argv is None else argv, environ or os.environ)
    return binds


def check_exposure(settings: Settings, binds: Sequence[str]) -> bool:
    """Whether the admin is reachable beyond localhost; raises when it would be with the
    development (or a short) secret. Behind a reverse proxy (OIRS_PROXIES_COUNT) it is,
    whatever its bind: the proxy serves 127.0.0.1 to everyone, usually terminating TLS there."""
    exposed = [f"on {bind}" for bind in binds if not is_loopback(bind)]
    if settings.proxies:
        exposed.append(f"behind a reverse proxy (OIRS_PROXIES_COUNT={settings.proxies})")
    if not exposed:
        return False
    if settings.secret_key == Settings.secret_key or len(settings.secret_key) < MIN_SECRET_LENGTH:
        raise ConfigurationError(
            f"OIRS_SECRET_KEY must be set to a random value of {MIN_SECRET_LENGTH}+ characters "
            f"to serve the admin {' and '.join(exposed)} (beyond localhost); for development "
            "keep OIRS_ADMIN_BIND on 127.0.0.1 and OIRS_PROXIES_COUNT unset"
        )
    return True
