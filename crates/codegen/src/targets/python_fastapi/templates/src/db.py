"""The database: engine, sessions, and column types that keep the same values in
PostgreSQL (native types) and SQLite (text in the formats of the API contract)."""

import datetime
import decimal
import enum
import uuid
from collections.abc import Collection, Iterator, Mapping
from typing import Annotated, Any, TypeVar

import sqlalchemy as sa
from fastapi import Depends, Request
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from .errors import invalid

M = TypeVar("M")


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
    """A session for one request; what it did not commit is rolled back."""
    with request.app.state.sessions() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]
"""The request's session, as a route's parameter: `session: SessionDep`."""


def sort_order(session: Session, sorts: Mapping[str, Any], sort: str) -> Any:
    """The ORDER BY term of a `sort` parameter (`name` or `-name`, one of `sorts`); rows
    without a value go last both ways."""
    descending = sort.startswith("-")
    column = sorts.get(sort.removeprefix("-"))
    if column is None:
        raise invalid("query.sort", "must be one of: " + (", ".join(sorts) or "none"))
    expression = column
    if session.get_bind().dialect.name == "sqlite" and isinstance(column.type, DecimalType):
        # Decimals are text in SQLite.
        expression = sa.cast(column, sa.Float)
    return expression.desc().nulls_last() if descending else expression.asc().nulls_last()


def rows_by_id(session: Session, model: type[M], ids: Collection[uuid.UUID]) -> list[M]:
    """The rows of `model` whose id is one of `ids`, by id (fewer when some do not exist)."""
    column = sa.inspect(model).primary_key[0]
    return list(session.scalars(sa.select(model).where(column.in_(ids)).order_by(column)))


def is_missing(session: Session, model: type[Any], id: uuid.UUID | None) -> bool:
    """Whether `id` names no row of `model` (`None` names nothing, and misses nothing)."""
    return id is not None and session.get(model, id) is None


def enum_values(enum_class: type[enum.Enum]) -> list[str]:
    """The values an enumeration stores (its values, not its member names)."""
    return [str(member.value) for member in enum_class]


def utc_text(value: datetime.datetime) -> str:
    """RFC 3339 in UTC with six fractional digits: `2024-05-01T10:00:00.000000Z`."""
    utc = value.astimezone(datetime.UTC).replace(tzinfo=None)
    return utc.isoformat(timespec="microseconds") + "Z"


def decimal_text(value: decimal.Decimal | int | float | str, scale: int) -> str:
    """The decimal with exactly `scale` digits after the point."""
    with decimal.localcontext(prec=200):
        exact = decimal.Decimal(str(value))
        return format(exact.quantize(decimal.Decimal(1).scaleb(-scale)), "f")


class UuidType(sa.types.TypeDecorator[uuid.UUID]):
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


class DateTimeType(sa.types.TypeDecorator[datetime.datetime]):
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


class DateType(sa.types.TypeDecorator[datetime.date]):
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


class DecimalType(sa.types.TypeDecorator[decimal.Decimal]):
    """NUMERIC in PostgreSQL; text with exactly `scale` fractional digits in SQLite."""

    impl = sa.types.String
    cache_ok = True

    def __init__(self, precision: int, scale: int) -> None:
        super().__init__()
        self.precision = precision
        self.scale = scale

    def load_dialect_impl(self, dialect: sa.Dialect) -> sa.types.TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(
                sa.types.Numeric(self.precision, self.scale, asdecimal=True)
            )
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


class JsonType(sa.types.TypeDecorator[Any]):
    """JSONB in PostgreSQL; JSON text in SQLite. A missing value is SQL NULL."""

    impl = sa.types.JSON
    cache_ok = True

    def load_dialect_impl(self, dialect: sa.Dialect) -> sa.types.TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(postgresql.JSONB(none_as_null=True))
        return dialect.type_descriptor(sa.types.JSON(none_as_null=True))
