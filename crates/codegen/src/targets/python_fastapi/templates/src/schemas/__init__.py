"""Pydantic models of the API, one module per resource: `…Input` (the body of POST and PUT),
the resource, and `…Page` (a page of a list)."""
