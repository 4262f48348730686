"""
Model fields whose comparison rule must not depend on the database.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper

    # django-stubs makes fields generic (the type set, the type read); Django's classes take no parameters at run time.
    _CharField = models.CharField[str, str]
else:
    _CharField = models.CharField


class ExactCharField(_CharField):
    """
    A ``CharField`` compared exactly -- case and accents included -- on every database: report ids and environment
    names (docs/reference/report-format.rst). PostgreSQL and SQLite compare text exactly by default; MySQL and MariaDB
    compare it with the column's collation, case-insensitive by default (``utf8mb4_unicode_ci`` in Open edX), so this
    field asks for the binary collation there.
    """

    MYSQL_COLLATION = "utf8mb4_bin"

    def db_parameters(self, connection: BaseDatabaseWrapper) -> dict[str, str | None]:
        parameters = super().db_parameters(connection)
        if connection.vendor == "mysql":
            parameters["collation"] = self.MYSQL_COLLATION
        return parameters
