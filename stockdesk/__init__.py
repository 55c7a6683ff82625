"""StockDesk: collect China A-share daily K-line history into a local database."""

__version__ = "0.1.0"
