"""Data protection's rows: consent texts, their acceptances, deletion requests."""

import factory

from portal.models import ConsentAcceptance, ConsentText, DeletionRequest

from .portal import EditionFactory, VerifiedUserFactory


class ConsentTextFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConsentText

    edition = factory.SubFactory(EditionFactory)
    version = factory.Sequence(lambda n: n + 1)
    text_en = "We keep your application for the award and its publication."
    text_ko = "수상 심사와 발표를 위해 신청서를 보관합니다."


class ConsentAcceptanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConsentAcceptance

    consent = factory.SubFactory(ConsentTextFactory)
    user = factory.SubFactory(VerifiedUserFactory)
    language = "en"


class DeletionRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DeletionRequest

    user = factory.SubFactory(VerifiedUserFactory)
    reason = "I no longer work for the city."
