"""The read-only JSON API of published results, for other systems (a city's site, a newsroom, an archive).

django-ninja rather than our own views: it writes the OpenAPI schema from the same pydantic schemas that
shape the answers, so the documentation cannot drift from what is served.
"""

from .endpoints import api, urls

__all__ = ["api", "urls"]
