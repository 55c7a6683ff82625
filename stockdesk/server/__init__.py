"""``stockdesk serve``: the collection HTTP API over the same engine as the window and CLI.

StockDesk began as a reimagining of a FastAPI collection service; this package gives
scripts, notebooks and other tools that service's endpoints back, over the same collector,
job log and one-job gate, so a job started here, in the window or by ``stockdesk collect``
refuses the others alike. ``app`` builds the FastAPI application, ``jobs`` runs each job
in a worker thread, ``auth`` decides who may talk to it and ``command`` runs it all under
uvicorn. Never imports PySide6: the server runs where there is no Qt.
"""
