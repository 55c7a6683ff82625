"""A baostock-protocol server with a synthetic market, for the demo and the tests."""
