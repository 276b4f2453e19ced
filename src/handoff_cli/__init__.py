"""handoff: a client diary and promise keeper for the terminal."""

__version__ = "0.1.0"
