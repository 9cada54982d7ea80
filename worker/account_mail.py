"""Account e-mails (sign-up verification, password reset, address change) go through the outbox too.

django-allauth sends its e-mails inside the request; a mail server that is down would turn a sign-up into an
error page. The mixin keeps allauth's rendering and writes the message to the outbox instead (one row per
recipient), which sends it after the response, and again later if the mail server refused it.
"""

from .outbox import email_record


class OutboxMailMixin:
    """Mixed into the portal's allauth adapter (portal.adapters.AccountAdapter), before DefaultAccountAdapter."""

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        from allauth.core import context as allauth_context
        from django.contrib.sites.shortcuts import get_current_site

        request = allauth_context.request
        message = self.render_mail(template_prefix, email, {
            "request": request, "email": email, "current_site": get_current_site(request), **context,
        })
        for recipient in message.to:
            email_record(to=recipient, subject=message.subject, body=message.body)
