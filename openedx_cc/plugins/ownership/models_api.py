"""
The ownership models that code outside the applet may name -- and only to declare a ``ForeignKey`` from another
applet's models (``openedx_cc/models.py``, which gathers every applet's models for Django, imports ``models`` itself,
and only it may: ``.importlinter``). Never to query them: reads and writes go through ``api.py``, which returns
querysets where a listing needs one (``get_committers()``...).
"""
from openedx_cc.plugins.ownership.models import CoreCommitter, Extension, Organization, Repository

__all__ = [
    "CoreCommitter",
    "Extension",
    "Organization",
    "Repository",
]
