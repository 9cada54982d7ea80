"""A service's refusal shown to the user, the same way on every page.

Services refuse with a ValidationError; a form page puts its messages beside the fields they name
(`add_service_errors`), a button's view shows them as a message (`run_service`).
"""

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError


def add_service_errors(form: forms.Form, error: ValidationError, *, field: str | None = None) -> None:
    """Put a service's ValidationError on `form`: each message beside its field, the rest at the top.

    A dict error names fields ('' or '__all__' for the whole form); a plain error goes to `field`.
    """
    if hasattr(error, "error_dict"):
        for name, field_errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, field_errors)
    else:
        form.add_error(field if field in form.fields else None, error)


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
