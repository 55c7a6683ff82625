"""Values, enums, user-facing errors, the task id and stock codes: the bottom layer.

Everything above imports from here; this package imports nothing of StockDesk's.
"""
