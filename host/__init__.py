"""
A small host service that loads openedx-cc exactly the way LMS and CMS do: through the edx-django-utils plugin
mechanism (entry points ``lms.djangoapp`` / ``cms.djangoapp``), with nothing else of the set configured by hand.
The tests and the demo run in it.
"""

try:  # as Django projects load their Celery app (LMS and CMS do); celery is in the test requirements, not the demo's
    from host.celery import app as celery_app  # noqa: F401
except ImportError:  # pragma: no cover - the demo's virtualenv has no Celery
    celery_app = None
