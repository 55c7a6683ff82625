"""How a running job says "cancelled", in the collector's thread and in worker processes.

Its own module so that worker processes, which raise it too, import nothing else of the
collector.
"""


class JobCancelled(Exception):
    """Raised inside a run when the user cancelled; ends the job as ``cancelled``."""
