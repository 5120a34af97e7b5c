"""Helpers of the tests: tokens, and checks of the answers every resource shares (problem+json
errors, pages of items)."""

import datetime
import time
from collections.abc import Callable
from typing import Any

import jwt
from httpx2 import Response

SECRET = "a-test-secret-that-is-long-enough-for-hs256"
OTHER_SECRET = "another-secret-that-is-long-enough-too"

# The kinds of Authorization header the API refuses with 401 (see `bad_credentials`).
BAD_CREDENTIALS = [
    "none",
    "malformed",
    "basic",
    "bad-signature",
    "expired",
    "without-sub",
    "without-exp",
    "roles-not-a-list",
]


def token(roles: list[str], secret: str = SECRET, lifetime: int = 3600) -> str:
    """A signed token with `sub`, `exp` and `roles`."""
    now = int(time.time())
    claims = {"sub": "tester", "roles": roles, "iat": now, "exp": now + lifetime}
    return jwt.encode(claims, secret, algorithm="HS256")


def bearer(*roles: str) -> dict[str, str]:
    """The Authorization header of a token with `roles`."""
    return {"Authorization": f"Bearer {token(list(roles))}"}


def bad_credentials(kind: str, roles: list[str]) -> dict[str, str]:
    """An Authorization header of one of the `BAD_CREDENTIALS` kinds."""
    later = int(time.time()) + 3600
    claims: dict[str, dict[str, Any]] = {
        "without-sub": {"exp": later, "roles": roles},
        "without-exp": {"sub": "tester", "roles": roles},
        "roles-not-a-list": {"sub": "tester", "exp": later, "roles": "x"},
    }
    if kind in claims:
        return {"Authorization": f"Bearer {jwt.encode(claims[kind], SECRET, algorithm='HS256')}"}
    if kind == "bad-signature":
        return {"Authorization": f"Bearer {token(roles, secret=OTHER_SECRET)}"}
    if kind == "expired":
        return {"Authorization": f"Bearer {token(roles, lifetime=-60)}"}
    if kind == "malformed":
        return {"Authorization": "Bearer not-a-token"}
    if kind == "basic":
        return {"Authorization": "Basic dXNlcjpwYXNz"}
    return {}


def problem(response: Response, status: int) -> dict[str, Any]:
    """Checks that `response` is a problem+json answer of `status` and returns it."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status
    assert body["type"] == "about:blank"
    assert isinstance(body["title"], str)
    assert isinstance(body["detail"], str)
    assert isinstance(body["errors"], list)
    return dict(body)


def error_fields(response: Response, status: int = 422) -> list[str]:
    """The fields the errors of a problem+json answer of `status` name."""
    return [str(error["field"]) for error in problem(response, status)["errors"]]


def item_ids(response: Response) -> list[str]:
    """The ids of the items of a page (the answer must be 200)."""
    assert response.status_code == 200, response.text
    return [str(item["id"]) for item in response.json()["items"]]


def instant(text: str) -> datetime.datetime:
    """The instant of RFC 3339 text."""
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


def ordered(
    rows: list[dict[str, Any]],
    field: str,
    descending: bool = False,
    key: Callable[[Any], Any] | None = None,
) -> list[str]:
    """The ids of `rows` in the order of `field` (compared through `key`), ties by id."""
    by_id = sorted(rows, key=lambda row: str(row["id"]))
    by_field = sorted(
        by_id,
        key=lambda row: row[field] if key is None else key(row[field]),
        reverse=descending,
    )
    return [str(row["id"]) for row in by_field]
