"""The routes, one module per resource (each an `APIRouter` named `router`), and `custom.py`
for routes of your own."""
