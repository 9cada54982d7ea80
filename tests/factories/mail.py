"""An e-mail backend for tests that refuses some recipients, as an SMTP server refuses a mailbox."""

import smtplib

from django.core.mail.backends.locmem import EmailBackend

# Any recipient whose address contains this is refused.
REFUSED = "bounce"


class RefusingEmailBackend(EmailBackend):
    def send_messages(self, messages):
        for message in messages:
            refused = [address for address in message.recipients() if REFUSED in address]
            if refused:
                raise smtplib.SMTPRecipientsRefused({address: (550, b"mailbox unavailable") for address in refused})
        return super().send_messages(messages)
