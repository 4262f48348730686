"""
The applets of openedx-cc, one per concern (docs/decisions/0001-applets-of-one-django-app.rst).

Each applet looks like a miniature Django app (``models.py``, ``api.py``, ``admin.py``, ``readme.rst``). Code
outside an applet -- including sibling applets -- imports only its ``api`` and ``data`` modules.
"""
