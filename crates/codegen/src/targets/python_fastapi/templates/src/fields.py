"""Value types of request and response bodies: strict where JSON must already have the
right type, with the formats and encodings of the API contract."""

import datetime
import decimal
import re
import uuid
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AllowInfNan,
    AwareDatetime,
    BeforeValidator,
    PlainSerializer,
    Strict,
)

from .db import decimal_text, utc_text

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
URL = re.compile(r"^https?://[^\s/?#@]+(?:[/?#]\S*)?$")


def _text(value: Any) -> Any:
    if not isinstance(value, str):
        raise ValueError("must be a string")
    return value


def _number_or_text(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float | str | decimal.Decimal):
        raise ValueError("must be a number or a string")
    return value


def _email(value: str) -> str:
    if not EMAIL.match(value):
        raise ValueError("must be an e-mail address (local@domain)")
    return value


def _url(value: str) -> str:
    if not URL.match(value):
        raise ValueError("must be an http:// or https:// URL with a host")
    return value


def _not_null(value: Any) -> Any:
    if value is None:
        raise ValueError("must not be null")
    return value


def scale(digits: int) -> PlainSerializer:
    """Serializes a decimal as text with exactly `digits` fractional digits."""
    return PlainSerializer(
        lambda value: decimal_text(value, digits),
        return_type=str,
        when_used="json",
    )


SfText = Annotated[str, Strict()]
SfEmail = Annotated[str, Strict(), AfterValidator(_email)]
SfUrl = Annotated[str, Strict(), AfterValidator(_url)]
SfInt = Annotated[int, Strict()]
SfFloat = Annotated[float, Strict(), AllowInfNan(False)]
SfBool = Annotated[bool, Strict()]
SfDecimalIn = Annotated[decimal.Decimal, BeforeValidator(_number_or_text)]
SfDate = Annotated[datetime.date, BeforeValidator(_text)]
SfDateTime = Annotated[AwareDatetime, BeforeValidator(_text)]
SfUuid = Annotated[uuid.UUID, BeforeValidator(_text)]
SfJson = Annotated[Any, AfterValidator(_not_null)]
SfAnyJson = Any
SfDateTimeOut = Annotated[
    datetime.datetime,
    PlainSerializer(utc_text, return_type=str, when_used="json"),
]
