# Celery's autodiscovery imports `judging.tasks`; the tasks live in one module per area.
from .assignment import *  # noqa: F403
from .awards import *  # noqa: F403
from .notifications import *  # noqa: F403
from .scoring import *  # noqa: F403
