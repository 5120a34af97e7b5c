"""Settings, read from the environment."""

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Settings:
    """What the application needs to run."""

    database_url: str
    jwt_secret: str


def load_settings() -> Settings:
    """Reads `DATABASE_URL` (default: a SQLite file) and `JWT_SECRET` (required)."""
    secret = os.environ.get("JWT_SECRET", "")
    if not secret:
        raise RuntimeError("the environment variable JWT_SECRET must be set")
    return Settings(
        database_url=os.environ.get("DATABASE_URL", "sqlite:///./app.db"),
        jwt_secret=secret,
    )
