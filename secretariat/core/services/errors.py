class ServiceError(Exception):
    """A refusal the user can act on; its message is translated and shown as is."""
