"""
The REST API of openedx-cc, mounted at ``/api/cc/`` (docs/reference/rest.rst). Views are thin: they validate input with
serializers and call the public Python API of the applets.
"""
