"""The HTTP service: the JSON API under ``/v1`` (OpenAPI at ``/docs``) and, later, the web pages.

>>> from txlguard.service import create_app
>>> app = create_app()  # the store opens when the app starts (lifespan), not here
"""

from txlguard.service.app import create_app
from txlguard.service.settings import ServiceSettings

__all__ = ["ServiceSettings", "create_app"]
