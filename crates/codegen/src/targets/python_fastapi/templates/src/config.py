"""Settings, read from the environment (`DATABASE_URL`, `JWT_SECRET`, `LOG_LEVEL`)."""

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """What the application needs to run."""

    model_config = SettingsConfigDict(frozen=True)

    database_url: str = "sqlite:///./app.db"
    jwt_secret: str = Field(min_length=1, repr=False)
    log_level: str = "INFO"


def load_settings() -> Settings:
    """The settings of the environment; `JWT_SECRET` is required."""
    try:
        return Settings()
    except ValidationError as error:
        raise RuntimeError(f"the settings are not valid (is JWT_SECRET set?): {error}") from None
