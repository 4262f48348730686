"""
Importers of the ownership registry: each reads one file format and returns a ``RegistrySnapshot``.
"""
