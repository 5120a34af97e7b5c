"""The declarative base of the models. Its metadata names constraints and indexes by the
convention of the schema (`pk_books`, `uq_books_isbn`, `fk_books_author_id`,
`ix_books_status`, `ck_books_price`), so that Alembic and the database agree on them."""

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "pk": "pk_%(table_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s",
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
}


class Base(DeclarativeBase):
    """Base of every model: all tables are in `Base.metadata`."""

    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
