"""Bearer tokens: JWTs signed with HS256 by `JWT_SECRET`, with `sub`, `exp` and `roles`."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from .errors import Problem

_bearer = HTTPBearer(auto_error=False)


@dataclass(frozen=True)
class Principal:
    """Who is calling."""

    subject: str
    roles: frozenset[str]


def _unauthorized(detail: str) -> Problem:
    return Problem(401, detail, headers={"WWW-Authenticate": "Bearer"})


def authenticate(secret: str, token: str) -> Principal:
    """The caller named by a token, or 401."""
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=["HS256"],
            options={"require": ["exp", "sub"]},
        )
    except jwt.PyJWTError as error:
        raise _unauthorized(f"the token is not valid: {error}") from None
    roles = claims.get("roles", [])
    subject = claims.get("sub")
    if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
        raise _unauthorized("the token's roles are not a list of strings")
    if not isinstance(subject, str):
        raise _unauthorized("the token's subject is not a string")
    return Principal(subject=subject, roles=frozenset(roles))


def bearer_principal(request: Request) -> Principal:
    """The caller named by the request's `Authorization: Bearer` header, or 401."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _unauthorized("a bearer token is required")
    return authenticate(request.app.state.settings.jwt_secret, token.strip())


def require(*roles: str) -> Callable[..., Principal]:
    """A dependency: a valid token, with one of `roles` when any are given."""

    def dependency(
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> Principal:
        if credentials is None:
            raise _unauthorized("a bearer token is required")
        principal = authenticate(request.app.state.settings.jwt_secret, credentials.credentials)
        if roles and principal.roles.isdisjoint(roles):
            raise Problem(403, "the token lacks a role this operation needs")
        return principal

    return dependency
