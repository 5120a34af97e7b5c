"""Helpers of the generated tests: tokens, the cases of each resource (tests/cases/*.json,
computed by the generator), a factory that creates rows after their required references, and
the checks every resource shares."""

import datetime
import decimal
import json
import pathlib
import time
import uuid
from typing import Any

import jwt
from fastapi.testclient import TestClient
from httpx2 import Response

SECRET = "a-test-secret-that-is-long-enough-for-hs256"
CASES: dict[str, dict[str, Any]] = {
    path.stem: json.loads(path.read_text(encoding="utf-8"))
    for path in sorted((pathlib.Path(__file__).parent / "cases").glob("*.json"))
}


def token(roles: list[str], secret: str = SECRET, lifetime: int = 3600) -> str:
    """A signed token with `roles`."""
    now = int(time.time())
    claims = {"sub": "tester", "roles": roles, "iat": now, "exp": now + lifetime}
    return jwt.encode(claims, secret, algorithm="HS256")


def bearer(value: str) -> dict[str, str]:
    """The Authorization header of a token."""
    return {"Authorization": f"Bearer {value}"}


def case_id(item: Any) -> str:
    """A readable id of a parametrized case."""
    if isinstance(item, dict):
        parts = [str(item[k]) for k in ("field", "kind", "wire", "operation") if k in item]
        return "-".join(parts) or "case"
    return str(item)


def instant(value: str) -> datetime.datetime:
    """A datetime of RFC 3339 text."""
    return datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))


def same(kind: str, expected: Any, actual: Any) -> bool:
    """Whether a value sent and a value answered are the same for a field of `kind`."""
    if expected is None or actual is None:
        return expected is None and actual is None
    if kind == "decimal":
        return decimal.Decimal(str(expected)) == decimal.Decimal(str(actual))
    if kind == "datetime":
        return instant(expected) == instant(actual)
    if kind == "float":
        return float(expected) == float(actual)
    if kind == "uuid":
        return str(expected).lower() == str(actual).lower()
    return bool(expected == actual)


def sort_key(kind: str, value: Any) -> Any:
    """The order of answered values of `kind`."""
    if kind == "decimal":
        return decimal.Decimal(value)
    if kind == "datetime":
        return instant(value)
    return value


def problem(response: Response, status: int) -> dict[str, Any]:
    """Checks a problem+json answer and returns it."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status
    assert body["type"] == "about:blank"
    assert isinstance(body["title"], str) and isinstance(body["detail"], str)
    assert isinstance(body["errors"], list)
    return dict(body)


def fields_of(response: Response, status: int = 422) -> list[str]:
    """The fields a problem names."""
    return [error["field"] for error in problem(response, status)["errors"]]


class Api:
    """The application under test, with a factory of rows."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.counters: dict[str, int] = {}
        self.shared_rows: dict[str, dict[str, Any]] = {}

    def headers(self, key: str, roles: list[str] | None = None) -> dict[str, str]:
        """A token with every role (or `roles`)."""
        return bearer(token(CASES[key]["all_roles"] if roles is None else roles))

    def sample(self, key: str) -> dict[str, Any]:
        """The next sample body (each one differs in its unique fields)."""
        samples = CASES[key]["samples"]
        n = self.counters.get(key, 0)
        self.counters[key] = n + 1
        return dict(samples[n % len(samples)])

    def raw_body(self, key: str) -> dict[str, Any]:
        """A valid body whose required references name rows that do not exist."""
        body = self.sample(key)
        for ref in CASES[key]["refs"]:
            if ref["required"]:
                body[ref["wire"]] = str(uuid.uuid4())
        return body

    def body(self, key: str, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
        """A valid body; the rows its required references need are created first."""
        overrides = overrides or {}
        body = self.sample(key)
        for ref in CASES[key]["refs"]:
            if ref["required"] and ref["wire"] not in overrides:
                target = self.create(ref["target"]) if ref["unique"] else self.shared(ref["target"])
                body[ref["wire"]] = target["id"]
        body.update(overrides)
        return body

    def post(self, key: str, body: Any) -> Response:
        return self.client.post(CASES[key]["path"], json=body, headers=self.headers(key))

    def create(self, key: str, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
        """Creates a row and returns the resource."""
        response = self.post(key, self.body(key, overrides))
        assert response.status_code == 201, response.text
        return dict(response.json())

    def shared(self, key: str) -> dict[str, Any]:
        """A row of `key` that several rows may refer to."""
        if key not in self.shared_rows:
            self.shared_rows[key] = self.create(key)
        return self.shared_rows[key]

    def item(self, key: str, id_: str) -> str:
        return f"{CASES[key]['path']}/{id_}"

    def get(self, key: str, id_: str) -> Response:
        return self.client.get(self.item(key, id_), headers=self.headers(key))

    def list(self, key: str, params: dict[str, Any] | None = None) -> Response:
        return self.client.get(CASES[key]["path"], params=params, headers=self.headers(key))

    def request(self, key: str, operation: str, headers: dict[str, str]) -> Response:
        """Performs `operation` on an id that does not exist, with a valid body."""
        path = CASES[key]["path"]
        item = f"{path}/{uuid.uuid4()}"
        if operation == "list":
            return self.client.get(path, headers=headers)
        if operation == "get":
            return self.client.get(item, headers=headers)
        if operation == "create":
            return self.client.post(path, json=self.raw_body(key), headers=headers)
        if operation == "update":
            return self.client.put(item, json=self.raw_body(key), headers=headers)
        return self.client.delete(item, headers=headers)


def order(case: dict[str, Any]) -> list[str]:
    """The properties of a resource, in order."""
    names = ["id", *case["fields"]]
    names += [ref["wire"] for ref in case["refs"]]
    names += [ids["wire"] for ids in case["id_lists"]]
    if case["timestamps"]:
        names += ["created_at", "updated_at"]
    return names


def matches(case: dict[str, Any], body: dict[str, Any], row: dict[str, Any]) -> None:
    """Checks that a resource holds what was sent."""
    assert list(row) == order(case)
    uuid.UUID(row["id"])
    for wire, value in body.items():
        if wire in case["kinds"]:
            kind = case["kinds"][wire]
            assert same(kind, value, row[wire]), (wire, value, row[wire])
        elif isinstance(value, list):
            assert row[wire] == sorted(set(value)), (wire, value, row[wire])
        else:
            assert same("uuid", value, row[wire]), (wire, value, row[wire])
    if case["timestamps"]:
        assert row["created_at"].endswith("Z") and row["updated_at"].endswith("Z")


def required_refs(key: str, row: dict[str, Any]) -> dict[str, Any]:
    """The required references of a resource, to keep them in an update."""
    return {ref["wire"]: row[ref["wire"]] for ref in CASES[key]["refs"] if ref["required"]}


def check_crud(api: Api, key: str) -> None:
    """Create, get, update and delete, as far as the resource has them."""
    case = CASES[key]
    operations = case["operations"]
    body = api.body(key)
    response = api.post(key, body)
    assert response.status_code == 201, response.text
    row = response.json()
    assert response.headers["location"] == api.item(key, row["id"])
    matches(case, body, row)
    if "get" in operations:
        got = api.get(key, row["id"])
        assert got.status_code == 200, got.text
        assert got.json() == row
    if "update" in operations:
        new_body = api.body(key, required_refs(key, row))
        put = api.client.put(api.item(key, row["id"]), json=new_body, headers=api.headers(key))
        assert put.status_code == 200, put.text
        updated = put.json()
        matches(case, new_body, updated)
        assert updated["id"] == row["id"]
        if case["timestamps"]:
            assert updated["created_at"] == row["created_at"]
            assert instant(updated["updated_at"]) >= instant(row["created_at"])
    if "delete" in operations:
        deleted = api.client.delete(api.item(key, row["id"]), headers=api.headers(key))
        assert deleted.status_code == 204, deleted.text
        assert deleted.content == b""
        if "get" in operations:
            problem(api.get(key, row["id"]), 404)


def check_not_found(api: Api, key: str) -> None:
    """Get, update and delete of an id that does not exist; a malformed id."""
    operations = [op for op in CASES[key]["operations"] if op in ("get", "update", "delete")]
    for operation in operations:
        problem(api.request(key, operation, api.headers(key)), 404)
    if operations:
        response = api.client.get(api.item(key, "not-a-uuid"), headers=api.headers(key))
        if "get" in operations:
            assert "path.id" in fields_of(response)


def check_list(api: Api, key: str) -> None:
    """The list: total, default order by id, pages."""
    case = CASES[key]
    rows = []
    if case["creatable"]:
        rows = [api.create(key) for _ in range(3)]
    response = api.list(key)
    assert response.status_code == 200, response.text
    data = response.json()
    assert list(data) == ["items", "page", "page_size", "total"]
    assert data["total"] == len(rows)
    assert data["page"] == 1
    assert data["page_size"] == case["page_size"]
    ids = sorted(row["id"] for row in rows)
    assert [item["id"] for item in data["items"]] == ids
    if rows:
        first = api.list(key, {"page_size": 2}).json()
        second = api.list(key, {"page_size": 2, "page": 2}).json()
        assert [item["id"] for item in first["items"]] == ids[:2]
        assert [item["id"] for item in second["items"]] == ids[2:]
        assert first["total"] == second["total"] == len(rows)
        assert api.list(key, {"page": 5}).json()["items"] == []


def check_bad_list_parameters(api: Api, key: str) -> None:
    """Bad page, page_size and sort values are 422."""
    case = CASES[key]
    cases: list[tuple[dict[str, Any], str]] = [
        ({"page": 0}, "query.page"),
        ({"page": "x"}, "query.page"),
        ({"page_size": 0}, "query.page_size"),
        ({"page_size": case["max_page_size"] + 1}, "query.page_size"),
        ({"sort": "no-such-field"}, "query.sort"),
    ]
    for params, field in cases:
        assert field in fields_of(api.list(key, params)), params


def check_sort(api: Api, key: str, sort: dict[str, Any]) -> None:
    """Sorting by a field, both ways; ties by id."""
    case = CASES[key]
    rows = [api.create(key) for _ in range(3)]
    wire, kind = sort["wire"], sort["kind"]
    for descending in (False, True):
        expected = sorted(rows, key=lambda row: row["id"])
        expected.sort(key=lambda row: sort_key(kind, row[wire]), reverse=descending)
        params = {"sort": ("-" if descending else "") + wire, "page_size": case["max_page_size"]}
        response = api.list(key, params)
        assert response.status_code == 200, response.text
        got = [item["id"] for item in response.json()["items"]]
        assert got == [row["id"] for row in expected], (wire, descending)


def check_filter(api: Api, key: str, filter_: dict[str, Any]) -> None:
    """Filtering by equality on a field or a reference."""
    case = CASES[key]
    wire = filter_["wire"]
    if filter_["target"] is not None:
        target = api.create(filter_["target"])
        first = api.create(key, {wire: target["id"]})
    else:
        first = api.create(key)
    second = api.create(key)
    value = first[wire]
    response = api.list(key, {wire: value, "page_size": case["max_page_size"]})
    assert response.status_code == 200, response.text
    data = response.json()
    ids = [item["id"] for item in data["items"]]
    assert first["id"] in ids
    assert all(same(filter_["kind"], value, item[wire]) for item in data["items"])
    if not same(filter_["kind"], value, second[wire]):
        assert second["id"] not in ids
    assert data["total"] == len(ids)


def check_bad_filter(api: Api, key: str, filter_: dict[str, Any]) -> None:
    """A filter value that does not parse is 422."""
    response = api.list(key, {filter_["wire"]: filter_["value"]})
    assert "query." + filter_["wire"] in fields_of(response)


def send(api: Api, key: str, body: Any) -> Response:
    """POST the body, or PUT it when the resource has no create."""
    if "create" in CASES[key]["operations"]:
        return api.post(key, body)
    return api.client.put(api.item(key, str(uuid.uuid4())), json=body, headers=api.headers(key))


def replace(api: Api, key: str, body: Any) -> Response | None:
    """PUT the body over an existing row, when the resource has both create and update."""
    operations = CASES[key]["operations"]
    if "create" not in operations or "update" not in operations:
        return None
    row = api.create(key)
    return api.client.put(api.item(key, row["id"]), json=body, headers=api.headers(key))


def check_invalid(api: Api, key: str, item: dict[str, Any]) -> None:
    """A value that breaks a constraint is 422, naming the field, in a POST and a PUT."""
    body = api.raw_body(key)
    body[item["field"]] = item["value"]
    assert item["field"] in fields_of(send(api, key, body))
    replaced = replace(api, key, body)
    if replaced is not None:
        assert item["field"] in fields_of(replaced)


def check_missing(api: Api, key: str, wire: str) -> None:
    """A required field left out is 422, in a POST and a PUT."""
    body = api.raw_body(key)
    del body[wire]
    assert wire in fields_of(send(api, key, body))
    replaced = replace(api, key, body)
    if replaced is not None:
        assert wire in fields_of(replaced)


def check_refused_properties(api: Api, key: str) -> None:
    """Unknown properties, `id` and the timestamps are refused; so are bodies that are not
    JSON objects."""
    case = CASES[key]
    for extra in (case["unknown"], "id", "created_at", "updated_at"):
        body = api.raw_body(key)
        body[extra] = str(uuid.uuid4())
        assert extra in fields_of(send(api, key, body)), extra
    not_objects: list[Any] = [[], "text", None]
    for bad in not_objects:
        assert "body" in fields_of(send(api, key, bad))
    headers = {**api.headers(key), "content-type": "application/json"}
    anonymous = {"content-type": "application/json"}
    if "create" in case["operations"]:
        response = api.client.post(case["path"], content=b'{"broken', headers=headers)
        without_token = api.client.post(case["path"], content=b'{"broken', headers=anonymous)
    else:
        path = api.item(key, str(uuid.uuid4()))
        response = api.client.put(path, content=b'{"broken', headers=headers)
        without_token = api.client.put(path, content=b'{"broken', headers=anonymous)
    assert "body" in fields_of(response)
    # The token is checked before the body.
    problem(without_token, 401)


def check_unique(api: Api, key: str, wire: str) -> None:
    """A unique value taken by another row is 409, naming the field."""
    first = api.create(key)
    response = api.post(key, api.body(key, {wire: first[wire]}))
    assert fields_of(response, 409)[0] == wire


def check_unique_ref(api: Api, key: str, item: dict[str, Any]) -> None:
    """A one-to-one reference taken by another row is 409."""
    target = api.create(item["target"])
    api.create(key, {item["wire"]: target["id"]})
    response = api.post(key, api.body(key, {item["wire"]: target["id"]}))
    assert fields_of(response, 409)[0] == item["wire"]


def check_missing_ref(api: Api, key: str, item: dict[str, Any]) -> None:
    """A reference to a row that does not exist is 422, naming the reference."""
    missing = str(uuid.uuid4())
    body = api.body(key, {item["wire"]: [missing] if item["list"] else missing})
    assert item["wire"] in fields_of(api.post(key, body))


def check_id_list(api: Api, key: str, item: dict[str, Any]) -> None:
    """Owned many-to-many ids: stored, answered sorted, replaced by an update."""
    case = CASES[key]
    wire = item["wire"]
    a, b = api.create(item["target"]), api.create(item["target"])
    row = api.create(key, {wire: [b["id"], a["id"], b["id"]]})
    assert row[wire] == sorted([a["id"], b["id"]])
    if "get" in case["operations"]:
        assert api.get(key, row["id"]).json()[wire] == row[wire]
    if "update" in case["operations"]:
        body = api.body(key, {**required_refs(key, row), wire: [a["id"]]})
        put = api.client.put(api.item(key, row["id"]), json=body, headers=api.headers(key))
        assert put.status_code == 200, put.text
        assert put.json()[wire] == [a["id"]]


def check_on_delete(api: Api, key: str, ref: dict[str, Any]) -> None:
    """Deleting a referenced row applies the reference's on_delete."""
    case = CASES[key]
    target_key, wire = ref["target"], ref["wire"]
    target = api.create(target_key)
    row = api.create(key, {wire: target["id"]})
    response = api.client.delete(api.item(target_key, target["id"]), headers=api.headers(key))
    if ref["on_delete"] in ("RESTRICT", "NO ACTION"):
        problem(response, 409)
        return
    assert response.status_code == 204, response.text
    if "get" not in case["operations"]:
        return
    got = api.get(key, row["id"])
    if ref["on_delete"] == "CASCADE":
        problem(got, 404)
    else:
        assert got.status_code == 200, got.text
        assert got.json()[wire] is None


def check_unauthorized(api: Api, key: str, operation: str) -> None:
    """No token, a malformed one, a bad signature or an expired token: 401."""
    roles = CASES[key]["all_roles"]
    for headers in (
        {},
        {"Authorization": "Bearer not-a-token"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        bearer(token(roles, secret="another-secret-that-is-long-enough-too")),
        bearer(token(roles, lifetime=-60)),
        bearer(jwt.encode({"exp": int(time.time()) + 3600, "roles": roles}, SECRET)),
        bearer(jwt.encode({"sub": "tester", "roles": roles}, SECRET)),
        bearer(jwt.encode({"sub": "tester", "exp": int(time.time()) + 3600, "roles": "x"}, SECRET)),
    ):
        response = api.request(key, operation, headers)
        problem(response, 401)
        assert response.headers["www-authenticate"] == "Bearer"


def check_forbidden(api: Api, key: str, operation: str) -> None:
    """A token without the operation's roles: 403."""
    problem(api.request(key, operation, api.headers(key, [])), 403)


def check_absent(api: Api, key: str, item: dict[str, Any]) -> None:
    """An operation the specification does not list has no route."""
    response = api.request(key, item["operation"], api.headers(key))
    problem(response, item["status"])
