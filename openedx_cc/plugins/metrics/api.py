"""
Public Python API of the metrics applet: how changes fare once deployed. The figures are computed in ``figures``
(readme.rst).
"""
from openedx_cc.plugins.metrics.figures import (
    FILTERS,
    compute_dora,
    compute_metrics,
)

__all__ = [
    "FILTERS",
    "compute_dora",
    "compute_metrics",
]
