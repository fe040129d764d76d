"""cfbu: archiver for the news section (Nyheder) of cfbu.dk."""

__version__ = "0.1.0"
