
import factory

from submissions.models import (
    Answer,
    Application,
    ApplicationSnapshot,
    Attachment,
    Category,
    Question,
    ScreeningCountry,
    StatusChange,
)

from .portal import EditionFactory


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    edition = factory.SubFactory(EditionFactory)
    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")


def make_pdf(pages: int = 1) -> bytes:
    """A small, real PDF (pypdf can read it back), for attachments in tests and demo data."""
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def answer(application, key: str):
    """The application's current answer to the question `key` ("" when unanswered), as stored."""
    from submissions.selectors import application_answer_values

    application.refresh_from_db()
    return application_answer_values(application=application).get(key, "")


def answers_from_texts(application, texts: dict) -> None:
    from submissions.services.questions import form_questions_ensure

    questions = {question.key: question for question in form_questions_ensure(edition=application.edition)}
    Answer.objects.bulk_create([
        Answer(application=application, question=questions[key], value=text, text=text)
        for key, text in texts.items() if text and key in questions
    ])


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    edition = factory.SubFactory(EditionFactory)
    key = factory.Sequence(lambda n: f"question_{n}")
    kind = Question.Kind.SHORT_TEXT
    label_en = factory.Sequence(lambda n: f"Question {n}")
    label_ko = factory.Sequence(lambda n: f"질문 {n}")
    position = factory.Sequence(lambda n: 100 + n)


class ApplicationFactory(factory.django.DjangoModelFactory):
    """A complete application in its edition's first-created category; status as given (default draft).

    It writes rows directly: tests of the state changes go through the services.
    """

    class Meta:
        model = Application

    edition = factory.SubFactory(EditionFactory)
    category = factory.SubFactory(CategoryFactory, edition=factory.SelfAttribute("..edition"))
    organisation = factory.SubFactory("tests.factories.portal.OrganisationFactory")
    title = factory.Sequence(lambda n: f"Smart project {n}")
    summary = "A short summary."
    problem = "The problem."
    solution = "The solution."
    impact_evidence = "Measured impact."
    inclusiveness = "Who benefits."
    scalability = "How it scales."
    stage = Application.Stage.PILOT
    resources = "Budget and people."
    partners = "Partners."
    links = "https://example.org/project"
    status = Application.Status.DRAFT

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        """The eight section texts given (or the defaults above) become answers to the edition's questions of the
        same keys (its default form, saved if it has none), as an applicant's draft save would store them."""
        texts = {name: kwargs.pop(name) for name in Application.LEGACY_SECTION_FIELDS if name in kwargs}
        application = super()._create(model_class, *args, **kwargs)
        answers_from_texts(application, texts)
        return application

    class Params:
        # A public image (a real PNG) the applicant agreed to show if the entry wins.
        with_public_image = factory.Trait(
            public_image=factory.django.ImageField(filename="project.png", format="PNG", width=64, height=48),
            public_image_consent=True,
        )


# --- attachments (applicant side) -------------------------------------------------------------------------

SMALL_PDF = make_pdf()


class AttachmentFactory(factory.django.DjangoModelFactory):
    """A real one-page PDF stored in the (temporary) private storage."""

    class Meta:
        model = Attachment

    application = factory.SubFactory(ApplicationFactory)
    file = factory.django.FileField(filename="upload.pdf", data=SMALL_PDF)
    original_name = factory.Sequence(lambda n: f"city-plan-{n}.pdf")
    content_type = "application/pdf"
    size = len(SMALL_PDF)
    pages = 1


def snapshot_data(application: Application, attachments=()) -> dict:
    """What application_submit freezes, built the same way (content fields, answers, category, organisation,
    files)."""
    organisation = application.organisation
    from submissions.services.applications import snapshot_answers

    data = {name: getattr(application, name) for name in Application.CONTENT_FIELDS}
    data["answers"] = snapshot_answers(application) if application.pk else []  # a built (unsaved) one has none
    data.update({item["key"]: item["value"] for item in data["answers"] if "value" in item})
    data["category"] = {"slug": application.category.slug, "name": application.category.name}
    data["organisation"] = {
        "name": organisation.name, "kind": organisation.kind, "country": organisation.country.code,
        "city": organisation.city, "population_band": organisation.population_band,
    }
    data["attachments"] = [
        {"id": a.pk, "name": a.original_name, "content_type": a.content_type, "size": a.size, "pages": a.pages}
        for a in attachments
    ]
    return data


class ApplicationSnapshotFactory(factory.django.DjangoModelFactory):
    """A submitted snapshot of a (submitted) application, frozen as application_submit freezes it."""

    class Meta:
        model = ApplicationSnapshot

    application = factory.SubFactory(ApplicationFactory, status=Application.Status.SUBMITTED)
    number = 1
    data = factory.LazyAttribute(lambda snapshot: snapshot_data(snapshot.application))


class StatusChangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StatusChange

    application = factory.SubFactory(ApplicationFactory)
    from_status = ""
    to_status = Application.Status.DRAFT


def application_form_data(application, **changes) -> dict:
    """What the edit page's form posts for `application`: every content field and text answer, with `changes`
    applied."""
    from submissions.selectors import application_answer_values

    data = {field: "" if getattr(application, field) is None else str(getattr(application, field))
            for field in Application.CONTENT_FIELDS}
    data.update({key: value for key, value in application_answer_values(application=application).items()
                 if isinstance(value, str)})
    data.update({field: str(value) for field, value in changes.items()})
    return data


# --- submitted through the services (screening side) ------------------------------------------------------
import itertools  # noqa: E402 - appended section

_submitted_titles = itertools.count(1)


def submitted_application(*, category=None, organisation=None, user=None, pages: int = 1, **content):
    """An application submitted as an applicant does it (create, save the draft, upload a PDF, submit).

    Its snapshot, files, status history and audit entries are the real ones. `content` overrides the text.
    """
    from django.core.files.uploadedfile import SimpleUploadedFile

    from submissions import services
    from tests.factories.portal import MembershipFactory

    category = category or CategoryFactory()
    if organisation is None:
        membership = MembershipFactory()
        organisation, user = membership.organisation, membership.user
    elif user is None:
        user = MembershipFactory(organisation=organisation).user
    application = services.application_create(user=user, organisation=organisation, category=category)
    data = {field: f"{field.replace('_', ' ')} as submitted" for field in
            ["summary", "problem", "solution", "impact_evidence", "inclusiveness", "scalability", "resources",
             "partners"]}
    data.update(title=f"Submitted project {next(_submitted_titles)}", stage="pilot", links="https://example.org")
    data.update(content)
    services.application_save_draft(application=application, user=user, data=data)
    if pages:
        services.attachment_add(application=application, user=user,
                                upload=SimpleUploadedFile("project-plan.pdf", make_pdf(pages)))
    services.application_submit(application=application, user=user)
    application.refresh_from_db()
    return application


class AnswerFactory(factory.django.DjangoModelFactory):
    """A short-text answer to a question of the application's edition."""

    class Meta:
        model = Answer

    application = factory.SubFactory(ApplicationFactory)
    question = factory.SubFactory(QuestionFactory, edition=factory.SelfAttribute("..application.edition"))
    value = "An answer"
    text = "An answer"


class ScreeningCountryFactory(factory.django.DjangoModelFactory):
    """A country the edition's screening list offers as a filter."""

    class Meta:
        model = ScreeningCountry

    edition = factory.SubFactory(EditionFactory)
    country = "KR"
