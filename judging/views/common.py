"""What several judging views share."""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError


def run_service(request, call: Callable[[], object], *, success: str) -> bool:
    """A POST button's one service call. Its refusal (ValidationError) is shown as an error message, its success
    as `success`; the view redirects either way. True when the service did it."""
    try:
        call()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return False
    messages.success(request, success)
    return True
