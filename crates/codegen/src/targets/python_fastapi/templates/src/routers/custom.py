"""Routes of your own, served beside the generated ones: `main.py` includes `router`.

specforge writes this file once and never changes it afterwards: it is yours. An example:

    from ..db import SessionDep

    @router.get("/api/opening-hours")
    def opening_hours(session: SessionDep) -> dict[str, str]:
        return {"weekdays": "9-18"}
"""

from fastapi import APIRouter

router = APIRouter()
