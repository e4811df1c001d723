"""``mlplab playground``: a network trains live in the browser, on mlplab itself.

``server`` (the Starlette app on uvicorn: the static page, its menus, one WebSocket per tab),
``session`` (a tab's run: mlplab's ``Trainer`` in a worker thread under the page's controls),
``build`` (a run built as ``mlplab train`` builds it; the lock that keeps sessions apart),
``views`` (the snapshots the page draws), ``settings`` (what the page may choose, read from the
registries), ``export`` (the equivalent ``mlplab train`` command and Python script), ``static/``
(the page: HTML, CSS and JavaScript drawn on canvas by hand, no network needed).
"""

from .server import create_app, serve

__all__ = ["create_app", "serve"]
