"""Storage, one module per resource: the queries and writes of its routes, in SQLAlchemy."""
