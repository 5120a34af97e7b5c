"""The operations every resource shares: list, get, create, update and delete, with the
error mapping of the API contract (unique → 409, missing reference → 422, restricted
delete → 409)."""

import datetime
import enum
import uuid
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from fastapi import Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .db import SfDecimal
from .errors import Problem


@dataclass(frozen=True)
class SfRef:
    """A reference: the attribute and wire name of `…_id`, and the model it points to."""

    attr: str
    wire: str
    target: Any


@dataclass(frozen=True)
class SfJoin:
    """An owned many-to-many relation: `…_ids` and its join table."""

    attr: str
    wire: str
    table: sa.Table
    owner_column: str
    target_column: str
    target: Any


@dataclass(frozen=True)
class SfEntity:
    """What the shared operations need to know of one resource."""

    model: Any
    read: type[BaseModel]
    collection: str
    id_attr: str
    writable: list[str]
    refs: list[SfRef]
    joins: list[SfJoin]
    unique: dict[str, str]
    sorts: dict[str, str]
    timestamps: bool


def _json(entity: SfEntity, value: BaseModel, status: int = 200) -> Response:
    return JSONResponse(value.model_dump(mode="json", by_alias=True), status_code=status)


def _id_column(entity: SfEntity) -> Any:
    return getattr(entity.model, entity.id_attr)


def _find(entity: SfEntity, session: Session, id_: uuid.UUID) -> Any:
    row = session.get(entity.model, id_)
    if row is None:
        raise Problem(404, "no such resource")
    return row


def read(entity: SfEntity, session: Session, row: Any) -> BaseModel:
    """The resource of a row."""
    lists = {join.attr for join in entity.joins}
    data = {name: getattr(row, name) for name in entity.read.model_fields if name not in lists}
    row_id = getattr(row, entity.id_attr)
    for join in entity.joins:
        column = join.table.c[join.target_column]
        owner = join.table.c[join.owner_column]
        ids = session.scalars(sa.select(column).where(owner == row_id)).all()
        data[join.attr] = sorted(ids, key=str)
    return entity.read.model_validate(data)


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, enum.Enum) else value


def list_response(
    entity: SfEntity,
    session: Session,
    page: int,
    page_size: int,
    sort: str | None,
    filters: dict[str, Any],
) -> Response:
    """A page of the resources matching `filters` (attribute → value; `None` is no filter)."""
    model = entity.model
    conditions = [
        getattr(model, attr) == _plain(value)
        for attr, value in filters.items()
        if value is not None
    ]
    order = []
    if sort is not None:
        descending = sort.startswith("-")
        name = sort[1:] if descending else sort
        if name not in entity.sorts:
            allowed = ", ".join(entity.sorts) or "none"
            raise Problem(
                422,
                "the request is not valid",
                [{"field": "query.sort", "message": f"must be one of: {allowed}"}],
            )
        column = getattr(model, entity.sorts[name])
        dialect = session.get_bind().dialect.name
        expression: Any = column
        if dialect == "sqlite" and isinstance(column.type, SfDecimal):
            expression = sa.cast(column, sa.Float)
        order.append(
            expression.desc().nulls_last() if descending else expression.asc().nulls_last()
        )
    order.append(_id_column(entity).asc())
    total = session.scalar(sa.select(sa.func.count()).select_from(model).where(*conditions))
    rows = session.scalars(
        sa.select(model)
        .where(*conditions)
        .order_by(*order)
        .offset((page - 1) * page_size)
        .limit(page_size)
    ).all()
    items = [read(entity, session, row).model_dump(mode="json", by_alias=True) for row in rows]
    return JSONResponse({"items": items, "page": page, "page_size": page_size, "total": total or 0})


def get_response(entity: SfEntity, session: Session, id_: uuid.UUID) -> Response:
    """One resource."""
    return _json(entity, read(entity, session, _find(entity, session, id_)))


def _check_references(entity: SfEntity, session: Session, data: dict[str, Any]) -> None:
    errors = []
    for ref in entity.refs:
        value = data.get(ref.attr)
        if value is not None and session.get(ref.target, value) is None:
            errors.append({"field": ref.wire, "message": "refers to no existing row"})
    for join in entity.joins:
        ids = set(data.get(join.attr) or [])
        if ids:
            target_id = join.target.id_
            found = set(session.scalars(sa.select(target_id).where(target_id.in_(ids))).all())
            if ids - found:
                errors.append({"field": join.wire, "message": "refers to no existing row"})
    if errors:
        raise Problem(422, "the request is not valid", errors)


def _write_joins(
    entity: SfEntity, session: Session, row_id: uuid.UUID, data: dict[str, Any]
) -> None:
    for join in entity.joins:
        owner = join.table.c[join.owner_column]
        session.execute(sa.delete(join.table).where(owner == row_id))
        ids = sorted(set(data.get(join.attr) or []), key=str)
        if ids:
            session.execute(
                sa.insert(join.table),
                [{join.owner_column: row_id, join.target_column: value} for value in ids],
            )


def _integrity(entity: SfEntity, error: IntegrityError) -> Problem:
    """409 for a taken unique value (by constraint name), else 422."""
    original = error.orig
    diag = getattr(original, "diag", None)
    constraint = getattr(diag, "constraint_name", None)
    message = str(original)
    field = entity.unique.get(constraint) if constraint else None
    marker = "UNIQUE constraint failed: "
    if field is None and marker in message:
        columns = message.split(marker, 1)[1].split(",")[0].strip()
        field = entity.unique.get(columns)
    sqlstate = getattr(original, "sqlstate", None)
    if field is not None or sqlstate == "23505" or marker in message:
        return Problem(
            409,
            "a unique value is already taken",
            [{"field": field or "body", "message": "is already taken"}],
        )
    return Problem(422, "the request is not valid", [{"field": "body", "message": message}])


def _save(
    entity: SfEntity,
    session: Session,
    row: Any,
    data: dict[str, Any],
) -> None:
    _check_references(entity, session, data)
    for attr in entity.writable:
        setattr(row, attr, _plain(data.get(attr)))
    now = datetime.datetime.now(datetime.UTC)
    if entity.timestamps:
        if getattr(row, "created_at", None) is None:
            row.created_at = now
        row.updated_at = now
    try:
        session.add(row)
        session.flush()
        _write_joins(entity, session, getattr(row, entity.id_attr), data)
        session.commit()
    except IntegrityError as error:
        session.rollback()
        raise _integrity(entity, error) from None


def create_response(entity: SfEntity, session: Session, body: BaseModel) -> Response:
    """Creates a resource: 201 with its `Location`."""
    row = entity.model()
    setattr(row, entity.id_attr, uuid.uuid4())
    _save(entity, session, row, body.model_dump())
    resource = read(entity, session, row)
    response = _json(entity, resource, 201)
    response.headers["Location"] = f"{entity.collection}/{getattr(row, entity.id_attr)}"
    return response


def update_response(
    entity: SfEntity, session: Session, id_: uuid.UUID, body: BaseModel
) -> Response:
    """Replaces a resource."""
    row = _find(entity, session, id_)
    _save(entity, session, row, body.model_dump())
    return _json(entity, read(entity, session, row))


def delete_response(entity: SfEntity, session: Session, id_: uuid.UUID) -> Response:
    """Deletes a resource; 409 while rows that restrict it refer to it."""
    _find(entity, session, id_)
    try:
        session.execute(sa.delete(entity.model).where(_id_column(entity) == id_))
        session.commit()
    except IntegrityError:
        session.rollback()
        raise Problem(
            409,
            "other rows refer to this resource",
            [{"field": "id", "message": "is referred to by other rows"}],
        ) from None
    return Response(status_code=204)
