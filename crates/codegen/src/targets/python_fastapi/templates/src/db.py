"""The database: engine, sessions, and column types that keep the same values in
PostgreSQL (native types) and SQLite (text in the formats of the API contract)."""

import datetime
import decimal
import uuid
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from fastapi import Request
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import DeclarativeBase, Session


def engine_url(url: str) -> str:
    """The SQLAlchemy URL of a database URL: PostgreSQL goes through psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


def make_engine(url: str) -> sa.Engine:
    """An engine for `url`; SQLite connections check foreign keys."""
    url = engine_url(url)
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"check_same_thread": False})
        sa.event.listen(engine, "connect", _sqlite_connect)
        return engine
    return sa.create_engine(url, pool_pre_ping=True)


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()


def get_session(request: Request) -> Iterator[Session]:
    """A session for one request."""
    with request.app.state.sessions() as session:
        yield session


class SfBase(DeclarativeBase):
    """Base of the models."""


def utc_text(value: datetime.datetime) -> str:
    """RFC 3339 in UTC with six fractional digits: `2024-05-01T10:00:00.000000Z`."""
    utc = value.astimezone(datetime.UTC).replace(tzinfo=None)
    return utc.isoformat(timespec="microseconds") + "Z"


def decimal_text(value: decimal.Decimal | int | float | str, scale: int) -> str:
    """The decimal with exactly `scale` digits after the point."""
    with decimal.localcontext(prec=200):
        exact = decimal.Decimal(str(value))
        return format(exact.quantize(decimal.Decimal(1).scaleb(-scale)), "f")


class SfUuid(sa.types.TypeDecorator[uuid.UUID]):
    """UUID in PostgreSQL; lowercase hyphenated text in SQLite."""

    impl = sa.types.String
    cache_ok = True

    def load_dialect_impl(self, dialect: sa.Dialect) -> sa.types.TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(postgresql.UUID(as_uuid=True))
        return dialect.type_descriptor(sa.types.String())

    def process_bind_param(self, value: Any, dialect: sa.Dialect) -> Any:
        if value is None:
            return None
        value = value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
        return value if dialect.name == "postgresql" else str(value)

    def process_result_value(self, value: Any, dialect: sa.Dialect) -> Any:
        if value is None or isinstance(value, uuid.UUID):
            return value
        return uuid.UUID(str(value))


class SfDateTime(sa.types.TypeDecorator[datetime.datetime]):
    """TIMESTAMPTZ in PostgreSQL; RFC 3339 UTC text in SQLite (text order is time order)."""

    impl = sa.types.String
    cache_ok = True

    def load_dialect_impl(self, dialect: sa.Dialect) -> sa.types.TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(sa.types.DateTime(timezone=True))
        return dialect.type_descriptor(sa.types.String())

    def process_bind_param(self, value: Any, dialect: sa.Dialect) -> Any:
        if value is None:
            return None
        if dialect.name == "postgresql":
            return value.astimezone(datetime.UTC)
        return utc_text(value)

    def process_result_value(self, value: Any, dialect: sa.Dialect) -> Any:
        if value is None:
            return None
        if isinstance(value, str):
            value = datetime.datetime.fromisoformat(value)
        return value.astimezone(datetime.UTC)


class SfDate(sa.types.TypeDecorator[datetime.date]):
    """DATE in PostgreSQL; `YYYY-MM-DD` text in SQLite."""

    impl = sa.types.String
    cache_ok = True

    def load_dialect_impl(self, dialect: sa.Dialect) -> sa.types.TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(sa.types.Date())
        return dialect.type_descriptor(sa.types.String())

    def process_bind_param(self, value: Any, dialect: sa.Dialect) -> Any:
        if value is None or dialect.name == "postgresql":
            return value
        return value.isoformat()

    def process_result_value(self, value: Any, dialect: sa.Dialect) -> Any:
        if isinstance(value, str):
            return datetime.date.fromisoformat(value)
        return value


class SfDecimal(sa.types.TypeDecorator[decimal.Decimal]):
    """NUMERIC in PostgreSQL; text with exactly `scale` fractional digits in SQLite."""

    impl = sa.types.String
    cache_ok = True

    def __init__(self, scale: int) -> None:
        super().__init__()
        self.scale = scale

    def load_dialect_impl(self, dialect: sa.Dialect) -> sa.types.TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(sa.types.Numeric(asdecimal=True))
        return dialect.type_descriptor(sa.types.String())

    def process_bind_param(self, value: Any, dialect: sa.Dialect) -> Any:
        if value is None:
            return None
        text = decimal_text(value, self.scale)
        return decimal.Decimal(text) if dialect.name == "postgresql" else text

    def process_result_value(self, value: Any, dialect: sa.Dialect) -> Any:
        if value is None:
            return None
        return decimal.Decimal(str(value))


class SfJson(sa.types.TypeDecorator[Any]):
    """JSONB in PostgreSQL; JSON text in SQLite. A missing value is SQL NULL."""

    impl = sa.types.JSON
    cache_ok = True

    def load_dialect_impl(self, dialect: sa.Dialect) -> sa.types.TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(postgresql.JSONB(none_as_null=True))
        return dialect.type_descriptor(sa.types.JSON(none_as_null=True))
