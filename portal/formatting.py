"""How services and e-mails write a moment as text: in the edition's time zone when there is one."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django.utils.formats import date_format

from .models import Edition

DATETIME_FORMAT = "DATETIME_FORMAT"  # the reader's language's (config/formats): "3 May 2026, 18:00", "2026년 5월 3일 18:00"


def local_time(moment: datetime, *, edition: Edition | None = None, fmt: str = DATETIME_FORMAT,
               with_zone: bool = False) -> str:
    """`moment` in the edition's time zone (the current one without an edition), e.g. "3 May 2026, 18:00".

    With `with_zone` the edition's zone name follows in brackets: "3 May 2026, 18:00 (Asia/Seoul)".
    """
    text = date_format(timezone.localtime(moment, edition.tz if edition is not None else None), fmt)
    return f"{text} ({edition.time_zone})" if with_zone and edition is not None else text
