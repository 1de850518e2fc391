"""Errors that cross module boundaries, in a module that imports nothing, so that the command line can catch
them without loading what raises them (its start-up stays that of the command run)."""


class StoreError(Exception):
    """The store cannot be used at all (a damaged file, an unreachable server): one line for the user."""
