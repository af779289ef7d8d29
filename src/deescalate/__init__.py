"""deescalate: a command-line de-escalation coach for customer-service calls."""

__version__ = "0.1.0"
