"""
A small host service that loads openedx-cc exactly the way LMS and CMS do: through the edx-django-utils plugin
mechanism (entry points ``lms.djangoapp`` / ``cms.djangoapp``), with nothing else of the set configured by hand.
The tests and the demo run in it.
"""
