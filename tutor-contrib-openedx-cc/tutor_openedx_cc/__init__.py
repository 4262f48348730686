"""
Tutor plugin of openedx-cc (``tutor plugins enable openedx-cc``).
"""
__version__ = "0.1.0"
