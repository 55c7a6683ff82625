"""The engine: pure Python, no Qt. The window and the command line both drive it."""
