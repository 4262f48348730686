"""
The REST API of openedx-cc, mounted at ``/api/cc/`` (contract section 6). Views are thin: they validate input with
serializers and call the public Python API of the applets.
"""
