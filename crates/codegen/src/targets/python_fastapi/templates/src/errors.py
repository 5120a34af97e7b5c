"""Errors as `application/problem+json` (RFC 9457), as the API contract describes."""

import http
import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException

logger = logging.getLogger(__name__)

TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    422: "Unprocessable Entity",
    500: "Internal Server Error",
}


class Problem(Exception):
    """An error answered as problem+json."""

    def __init__(
        self,
        status: int,
        detail: str,
        errors: list[dict[str, str]] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = errors or []
        self.headers = dict(headers) if headers is not None else None


def title(status: int) -> str:
    """The title of a status."""
    if status in TITLES:
        return TITLES[status]
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def problem_response(
    status: int,
    detail: str,
    errors: list[dict[str, str]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    """The problem+json response."""
    body = {
        "type": "about:blank",
        "title": title(status),
        "status": status,
        "detail": detail,
        "errors": errors or [],
    }
    return JSONResponse(
        body,
        status_code=status,
        media_type="application/problem+json",
        headers=headers,
    )


def invalid(field: str, message: str) -> Problem:
    """A 422 about one field."""
    return Problem(422, "the request is not valid", [{"field": field, "message": message}])


def unprocessable(errors: list[dict[str, str]]) -> Problem:
    """A 422 listing `errors` (`field`, `message`)."""
    return Problem(422, "the request is not valid", errors)


def missing_reference(field: str) -> dict[str, str]:
    """The error of a reference to a row that does not exist."""
    return {"field": field, "message": "refers to no existing row"}


def not_found() -> Problem:
    """A 404."""
    return Problem(404, "no such resource")


def referred_to() -> Problem:
    """The 409 of a delete that rows referring to the resource restrict."""
    return Problem(
        409,
        "other rows refer to this resource",
        [{"field": "id", "message": "is referred to by other rows"}],
    )


def integrity_problem(error: IntegrityError, unique_fields: dict[str, str]) -> Problem:
    """409 for a taken unique value, found by constraint name (PostgreSQL) or by
    `table.column` (SQLite) in `unique_fields`; else 422."""
    original = error.orig
    constraint = getattr(getattr(original, "diag", None), "constraint_name", None)
    message = str(original)
    field = unique_fields.get(constraint) if constraint else None
    marker = "UNIQUE constraint failed: "
    if field is None and marker in message:
        columns = message.split(marker, 1)[1].split(",")[0].strip()
        field = unique_fields.get(columns)
    if field is not None or getattr(original, "sqlstate", None) == "23505" or marker in message:
        return Problem(
            409,
            "a unique value is already taken",
            [{"field": field or "body", "message": "is already taken"}],
        )
    return Problem(422, "the request is not valid", [{"field": "body", "message": message}])


def field_of(error: dict[str, Any]) -> str:
    """The wire name an error of request validation is about."""
    loc = list(error.get("loc", ()))
    if not loc:
        return "body"
    where = loc[0]
    if where == "body":
        if error.get("type") == "json_invalid" or len(loc) < 2:
            return "body"
        return str(loc[1])
    if where in ("query", "path", "header") and len(loc) > 1:
        return f"{where}.{loc[1]}"
    return ".".join(str(part) for part in loc)


async def _problem(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Problem)
    return problem_response(exc.status, exc.detail, exc.errors, exc.headers)


async def _validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    if request.url.path.startswith("/api/"):
        # FastAPI reads the body before the route's dependencies: check the token first, so
        # that a request without a valid one is 401 whatever its body.
        from .auth import bearer_principal

        try:
            bearer_principal(request)
        except Problem as problem:
            return await _problem(request, problem)
    errors = [
        {"field": field_of(error), "message": str(error.get("msg", "is not valid"))}
        for error in exc.errors()
    ]
    return problem_response(422, "the request is not valid", errors)


async def _http(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else title(exc.status_code)
    return problem_response(exc.status_code, detail, None, exc.headers)


async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
    logger.error("unexpected error", exc_info=exc)
    return problem_response(500, "the server failed to answer")


def install(app: FastAPI) -> None:
    """Answers every error as problem+json."""
    app.add_exception_handler(Problem, _problem)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(HTTPException, _http)
    app.add_exception_handler(Exception, _unexpected)
