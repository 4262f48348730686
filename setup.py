"""
Packaging for openedx-cc.

Metadata lives in setup.cfg; the runtime requirements are read from requirements/base.in so that there is one list
of direct dependencies (the cookiecutter-django-app convention).
"""
import os
import re

from setuptools import setup


def load_requirements(*requirements_paths):
    """
    Return the direct requirements named in the given .in files, with their version ranges.

    Lines that are comments, ``-c``/``-r`` includes or blank are skipped; an inline comment is dropped.
    """
    requirements = []
    here = os.path.dirname(os.path.abspath(__file__))
    for path in requirements_paths:
        with open(os.path.join(here, path), encoding="utf-8") as reqs:
            for line in reqs:
                line = re.sub(r"\s+#.*$", "", line).strip()
                if not line or line.startswith(("#", "-")):
                    continue
                requirements.append(line)
    return requirements


setup(install_requires=load_requirements("requirements/base.in"))
