"""
The host's Celery app, configured from the Django settings (``CELERY_*``) as LMS and CMS configure theirs. Without a
broker (``OPENEDX_CC_HOST_CELERY_BROKER`` unset) openedx-cc sees no Celery and runs its background work in process.
"""
from celery import Celery

app = Celery("host")
app.config_from_object("django.conf:settings", namespace="CELERY")
