"""Typed configuration read once from the environment (and an optional .env file)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class ConfigurationError(RuntimeError):
    """The configuration is unsafe or incomplete for the requested mode."""


@dataclass(frozen=True)
class CommuneInfo:
    name: str = "Municipalidad de Ejemplo"
    comuna: str | None = None
    oirs_address: str = "Plaza de Armas 1, primer piso"
    oirs_hours: str = "lunes a viernes de 8:30 a 14:00 horas"
    phone: str = "+56 2 2345 6789"
    email: str = "oirs@municipalidad.example.cl"
    portal_transparencia_url: str = "https://www.portaltransparencia.cl"
    transparencia_activa_url: str = "https://www.portaltransparencia.cl"
    sai_form_url: str = "https://www.portaltransparencia.cl"
    privacy_policy_url: str = "http://127.0.0.1:8000/privacidad"


@dataclass(frozen=True)
class Settings:
    env: str = "development"
    database_url: str = f"sqlite:///{PROJECT_ROOT / 'var' / 'oirs.db'}"
    secret_key: str = "dev-only-not-secret"  # noqa: S105 (refused in production by check())
    public_url: str = "http://127.0.0.1:8000"
    rasa_url: str = "http://127.0.0.1:5005"
    # Rasa's tracker store (RASA_TRACKER_URL, as endpoints.yml reads it): anonymisation erases a
    # resident's conversation there; None means the default file under data_dir
    rasa_tracker_url: str | None = None
    data_dir: Path = PROJECT_ROOT / "var"
    redis_url: str | None = None
    smtp_url: str | None = None
    mail_from: str = "oirs@municipalidad.example.cl"
    twilio_account_sid: str | None = None
    twilio_auth_token: str | None = None
    twilio_whatsapp_from: str | None = None
    telegram_bot_token: str | None = None
    telegram_webhook_secret: str | None = None
    # reverse proxies in front of the admin whose X-Forwarded-For/-Proto are trusted
    proxies: int = 0
    # where gunicorn serves the admin (Procfile); beyond localhost it needs OIRS_SECRET_KEY
    admin_bind: str = "127.0.0.1:8000"
    # the web widget's anonymous uploads, per conversation and day (admin/widget/quota.py)
    widget_upload_files_per_day: int = 10
    widget_upload_mb_per_day: int = 25
    # and per client address and day, since the browser chooses its conversation's id
    widget_upload_files_per_address_per_day: int = 30
    widget_upload_mb_per_address_per_day: int = 75
    # origins beyond public_url that may embed the widget (OIRS_WIDGET_ORIGINS, comma-separated)
    widget_origins: tuple[str, ...] = ()
    # gunicorn worker processes (admin/gunicorn_conf.py), and per worker the threads that agent
    # console streams and widget messages waiting on Rasa may hold (admin/long_requests.py)
    admin_workers: int = 2
    admin_stream_slots: int = 2
    admin_relay_slots: int = 4
    # Rasa's --auth-token; None: the one `make run` generated into data_dir/rasa-auth-token
    rasa_auth_token: str | None = None
    # years a closed case keeps personal data, per type ("reclamo=5,sai=5", parsed and checked
    # by admin.jobs.retention_years); "": the defaults of oirs/privacy/rights.py
    retention_years: str = ""
    # the senders' WhatsApp template for answers outside the 24-hour window, and the providers'
    # API roots (tests point them at stand-ins)
    twilio_template_content_sid: str | None = None
    twilio_api_base: str = "https://api.twilio.com"
    telegram_api_base: str = "https://api.telegram.org"
    # a Nominatim-compatible geocoder for typed addresses the street axes place only to the
    # street (oirs/reporting/geocoding.py); None: the commune's street axes alone
    geocoder_url: str | None = None
    geocoder_timeout: float = 5.0
    # map tiles of the statistics map ({z}/{x}/{y}); None: the street axes drawn alone
    map_tiles_url: str | None = None
    map_tiles_attribution: str = "© OpenStreetMap"
    commune: CommuneInfo = field(default_factory=CommuneInfo)

    @property
    def production(self) -> bool:
        return self.env == "production"

    @property
    def tracker_store_url(self) -> str:
        """Where Rasa keeps conversations: RASA_TRACKER_URL, else scripts/env.sh's default."""
        return self.rasa_tracker_url or f"sqlite:///{self.data_dir / 'rasa' / 'tracker.db'}"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read the environment; in production, refuse unsafe or missing secrets.

        A variable set to "" counts as unset (a copied .env.example line left empty must not
        give an empty session key or an empty link)."""
        env = dict(os.environ if environ is None else environ)
        defaults = cls()
        data_dir = Path(env.get("OIRS_DATA_DIR") or defaults.data_dir)
        database_url = env.get("DATABASE_URL") or f"sqlite:///{data_dir / 'oirs.db'}"
        commune = CommuneInfo(
            name=(env.get("OIRS_COMMUNE_NAME") or CommuneInfo.name),
            comuna=env.get("OIRS_COMUNA") or None,
            oirs_address=(env.get("OIRS_ADDRESS") or CommuneInfo.oirs_address),
            oirs_hours=(env.get("OIRS_HOURS") or CommuneInfo.oirs_hours),
            phone=(env.get("OIRS_PHONE") or CommuneInfo.phone),
            email=(env.get("OIRS_EMAIL") or CommuneInfo.email),
            portal_transparencia_url=(
                env.get("OIRS_PORTAL_TRANSPARENCIA_URL") or CommuneInfo.portal_transparencia_url
            ),
            transparencia_activa_url=(
                env.get("OIRS_TRANSPARENCIA_ACTIVA_URL") or CommuneInfo.transparencia_activa_url
            ),
            sai_form_url=(env.get("OIRS_SAI_FORM_URL") or CommuneInfo.sai_form_url),
            # the admin's own /privacidad page unless the commune publishes its own policy
            privacy_policy_url=(
                env.get("OIRS_PRIVACY_POLICY_URL")
                or (env.get("OIRS_PUBLIC_URL") or defaults.public_url).rstrip("/") + "/privacidad"
            ),
        )
        settings = cls(
            env=(env.get("OIRS_ENV") or "development"),
            database_url=database_url,
            secret_key=(env.get("OIRS_SECRET_KEY") or defaults.secret_key),
            public_url=(env.get("OIRS_PUBLIC_URL") or defaults.public_url).rstrip("/"),
            rasa_url=(env.get("OIRS_RASA_URL") or defaults.rasa_url).rstrip("/"),
            rasa_tracker_url=env.get("RASA_TRACKER_URL") or None,
            data_dir=data_dir,
            redis_url=env.get("REDIS_URL") or None,
            smtp_url=env.get("OIRS_SMTP_URL") or None,
            mail_from=(env.get("OIRS_MAIL_FROM") or defaults.mail_from),
            twilio_account_sid=env.get("TWILIO_ACCOUNT_SID") or None,
            twilio_auth_token=env.get("TWILIO_AUTH_TOKEN") or None,
            twilio_whatsapp_from=env.get("TWILIO_WHATSAPP_FROM") or None,
            telegram_bot_token=env.get("TELEGRAM_BOT_TOKEN") or None,
            telegram_webhook_secret=env.get("TELEGRAM_WEBHOOK_SECRET") or None,
            proxies=_proxies(env.get("OIRS_PROXIES_COUNT")),
            admin_bind=(env.get("OIRS_ADMIN_BIND") or defaults.admin_bind).strip(),
            widget_upload_files_per_day=_positive(
                "OIRS_WIDGET_UPLOADS_PER_DAY", env, defaults.widget_upload_files_per_day
            ),
            widget_upload_mb_per_day=_positive(
                "OIRS_WIDGET_UPLOAD_MB_PER_DAY", env, defaults.widget_upload_mb_per_day
            ),
            widget_upload_files_per_address_per_day=_positive(
                "OIRS_WIDGET_UPLOADS_PER_ADDRESS_PER_DAY",
                env,
                defaults.widget_upload_files_per_address_per_day,
            ),
            widget_upload_mb_per_address_per_day=_positive(
                "OIRS_WIDGET_UPLOAD_MB_PER_ADDRESS_PER_DAY",
                env,
                defaults.widget_upload_mb_per_address_per_day,
            ),
            widget_origins=tuple(
                origin.strip()
                for origin in (env.get("OIRS_WIDGET_ORIGINS") or "").split(",")
                if origin.strip()
            ),
            admin_workers=_positive("OIRS_ADMIN_WORKERS", env, defaults.admin_workers),
            admin_stream_slots=_positive(
                "OIRS_ADMIN_STREAM_SLOTS", env, defaults.admin_stream_slots
            ),
            admin_relay_slots=_positive("OIRS_ADMIN_RELAY_SLOTS", env, defaults.admin_relay_slots),
            rasa_auth_token=env.get("RASA_AUTH_TOKEN") or None,
            retention_years=(env.get("OIRS_RETENTION_YEARS") or "").strip(),
            twilio_template_content_sid=env.get("TWILIO_TEMPLATE_CONTENT_SID") or None,
            twilio_api_base=(env.get("TWILIO_API_BASE") or defaults.twilio_api_base),
            telegram_api_base=(env.get("TELEGRAM_API_BASE") or defaults.telegram_api_base),
            geocoder_url=(env.get("OIRS_GEOCODER_URL") or "").strip().rstrip("/") or None,
            geocoder_timeout=_seconds("OIRS_GEOCODER_TIMEOUT", env, defaults.geocoder_timeout),
            map_tiles_url=(env.get("OIRS_MAP_TILES_URL") or "").strip() or None,
            map_tiles_attribution=(
                env.get("OIRS_MAP_TILES_ATTRIBUTION") or defaults.map_tiles_attribution
            ),
            commune=commune,
        )
        settings.check(debug=env.get("FLASK_DEBUG", "0") not in ("", "0", "false"))
        return settings

    def check(self, debug: bool = False) -> None:
        """Production mode must not run with debug, a default or short secret, or plain http."""
        if not self.production:
            return
        problems = []
        if debug:
            problems.append("FLASK_DEBUG must be off in production")
        if self.secret_key == Settings.secret_key or len(self.secret_key) < 32:
            problems.append("OIRS_SECRET_KEY must be set to a random value of 32+ characters")
        if not self.public_url.startswith("https://"):
            problems.append("OIRS_PUBLIC_URL must be an https:// URL")
        if problems:
            raise ConfigurationError("; ".join(problems))


def _proxies(raw: str | None) -> int:
    """OIRS_PROXIES_COUNT: how many reverse proxies to trust (0 unset); a typo stops the start."""
    value = (raw or "0").strip()
    if not value.isdigit() or int(value) > 5:
        raise ConfigurationError("OIRS_PROXIES_COUNT must be a number of proxies from 0 to 5")
    return int(value)


def _seconds(variable: str, env: Mapping[str, str], default: float) -> float:
    """A timeout in seconds, above 0 and at most a minute (a typo stops the start)."""
    value = (env.get(variable) or str(default)).strip()
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not 0 < seconds <= 60:
        raise ConfigurationError(f"{variable} must be a number of seconds from 0.1 to 60")
    return seconds


def _positive(variable: str, env: Mapping[str, str], default: int) -> int:
    """A whole number of at least 1 (a quota of 0 or a typo stops the start, not the widget)."""
    value = (env.get(variable) or str(default)).strip()
    if not value.isdigit() or int(value) < 1:
        raise ConfigurationError(f"{variable} must be a whole number of 1 or more")
    return int(value)
