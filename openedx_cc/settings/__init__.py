"""
Settings that openedx-cc adds to its host through the Open edX plugin mechanism (``plugin_settings``).
"""
