"""Who may open every URL of the portal: the authorization matrix's table (tests/test_authorization_matrix.py).

Every URL pattern of the URLconf has one row here, keyed by its name (`namespace:name`), or by its route for the
admin's unnamed redirects. A row says which roles may GET it (and with which status), which roles may POST to it
(a POST from anyone else must be refused and change nothing), and what each role may read on it. A new URL without
a row fails the matrix: whoever adds one decides here who may see it. The groups follow DESIGN.md ("Who uses it")
and the rules.py files: the committee that reads an edition is its secretariat, chair and observers; committee
members deliberate and vote; judges see only what is assigned to them; the superuser's tool is the admin only.
"""

from dataclasses import dataclass, field

from .world import A_SECRETS, DECISION_SECRETS, ROLES, SCORE_SECRETS

ALL = frozenset(ROLES)
NOBODY = frozenset()
LOGGED_IN = ALL - {"anonymous"}
JUDGES = frozenset({"judge_assigned", "judge_unassigned", "judge_conflict"})
SECRETARIAT = frozenset({"secretariat"})
# Reads everything of the edition (portal.rules.is_committee).
READERS = frozenset({"secretariat", "chair", "observer"})
# Any role in the edition (portal.rules.has_any_role).
EDITION_PEOPLE = READERS | {"committee"} | JUDGES
VOTERS = frozenset({"chair", "committee"})
# The deliberation: the readers and the committee members, never a judge (judging.rules view_awards).
AWARDS_READERS = READERS | {"committee"}
CHAIR = frozenset({"chair"})
APPLICANT_A = frozenset({"applicant_a"})
A_AND_READERS = APPLICANT_A | READERS
SUPERUSER = frozenset({"superuser"})

# Who may read A's name, title and address anywhere (its own people, the edition's readers, the judge assigned to
# it, the committee members deliberating on it, and the superuser in the admin).
MAY_READ_A = APPLICANT_A | READERS | {"judge_assigned", "committee", "superuser"}
# Who may read a judge's comments for the committee: the committee that reads everything, the committee members
# (judging.rules: the scores' export goes to "the committee and the observer", never to a judge), the judge who
# wrote it and the superuser in the admin.
MAY_READ_SCORES = READERS | {"committee", "judge_assigned", "superuser"}
# Who may read a draft decision's reason before publication.
MAY_READ_DECISIONS = AWARDS_READERS | {"superuser"}


@dataclass(frozen=True)
class Row:
    """One URL's expectations. A POST is sent for every role not in `post`: from a role that may not GET the page
    it must be refused; from one that may read it, the page may answer as it answers a GET (a read-only page does
    not look at the method). Either way the database must not change."""

    get: frozenset = NOBODY  # roles whose GET is allowed
    post: frozenset = NOBODY  # roles whose POST is allowed (not sent)
    status: frozenset = frozenset({200})  # the allowed GET's status
    # Per role, the secrets this page may show them although they are not in MAY_READ_*, and why (the reason is
    # kept for the reader of this table).
    may_show: dict = field(default_factory=dict)
    # What a refused POST may answer besides 403/404/405 (or a login redirect): e.g. a token page that shows its
    # refusal in the form.
    post_refusal: frozenset = NOBODY


def public(status=(200,), post=ALL) -> Row:
    """A page anyone may open (the sign-in flow, the public pages): still no secret on it."""
    return Row(get=ALL, post=frozenset(post), status=frozenset(status))


def own_account(status=(200,)) -> Row:
    """A logged-in person's own account page (allauth): the anonymous visitor is sent to log in."""
    return Row(get=LOGGED_IN, post=LOGGED_IN, status=frozenset(status))


def rows(names, row: Row) -> dict:
    return dict.fromkeys(names, row)


def secrets_for(role: str) -> tuple[str, ...]:
    """The strings `role` must never read on any page, whatever its status."""
    hidden = ()
    if role not in MAY_READ_A:
        hidden += A_SECRETS
    if role not in MAY_READ_SCORES:
        hidden += SCORE_SECRETS
    if role not in MAY_READ_DECISIONS:
        hidden += DECISION_SECRETS
    return hidden


EXPECTATIONS: dict[str, Row] = {
    # --- allauth: the sign-in flow is public; account pages are the person's own --------------------------------
    **rows(["account_login", "account_signup"], public(status=(200, 302))),
    "account_logout": public(status=(200, 302)),
    **rows(["account_inactive", "account_email_verification_sent", "account_reset_password",
            "account_reset_password_done", "account_reset_password_from_key_done", "account_reset_password_from_key",
            "account_confirm_email"], public()),
    # The second step of a sign-in in progress: with none pending, everyone is sent back (the visitor to log in).
    **rows(["account_confirm_login_code", "mfa_authenticate"], Row(get=LOGGED_IN, post=ALL, status=frozenset({302}))),
    **rows(["account_reauthenticate", "account_email", "account_change_password", "mfa_index",
            "mfa_reauthenticate", "mfa_activate_totp", "mfa_generate_recovery_codes"],
           own_account(status=(200, 302))),
    # Pages of a second factor the person has not set up: 404 for them, and the visitor is sent to log in.
    **rows(["mfa_view_recovery_codes", "mfa_download_recovery_codes", "mfa_deactivate_totp"],
           own_account(status=(404,))),
    "account_set_password": own_account(status=(302,)),
    "set_language": public(status=(302,)),
    "judging:public_language": public(status=(302,)),
    # Sign-in with the organiser's identity provider: none is configured here, so its pages answer 404 to all;
    # the pages around a provider's sign-in are public (its error page says so with 401), the signup step with
    # no provider's sign-in pending sends everyone back to log in, and the list of connected providers is the
    # person's own.
    **rows(["openid_connect_login", "openid_connect_callback", "socialaccount_signup"], Row()),
    "socialaccount_login_cancelled": public(),
    "socialaccount_login_error": public(status=(401,)),
    # allauth's old /accounts/social/ addresses: a permanent redirect to /accounts/3rdparty/, for anyone.
    **rows(["route:accounts/social/login/cancelled/", "route:accounts/social/login/error/",
            "route:accounts/social/signup/", "route:accounts/social/connections/"], public(status=(301,))),
    "socialaccount_connections": own_account(status=(200, 302)),
}

# --- the portal's own pages -------------------------------------------------------------------------------------
# `get`: who may open it; `post`: who may act on it (everyone else's POST is sent, refused, and changes nothing).
# A page that only takes POST answers the allowed roles' GET with 405 (it shows nothing).
POST_ONLY = frozenset({405})

EXPECTATIONS.update({
    # Health: anyone (the container's check, a monitor) reads ok/fail per part and nothing else; details are for a
    # superuser. Readiness answers 503 here, where no worker has beaten yet.
    "health_liveness": public(),
    "health_readiness": public(status=(200, 503)),
    # The edition's outbox (tasks and e-mails not gone out yet): the committee that reads the edition sees it; the
    # secretariat retries.
    "portal:edition_outbox": Row(get=READERS),
    "portal:edition_outbox_retry": Row(get=SECRETARIAT, post=SECRETARIAT, status=POST_ONLY),
    # Webhooks (where the edition's events go, with their signing secret): the secretariat's alone.
    **rows(["portal:webhook_list", "portal:webhook_detail"], Row(get=SECRETARIAT, post=SECRETARIAT)),
    **rows(["portal:webhook_delete", "portal:webhook_secret_rotate", "portal:webhook_delivery_retry"],
           Row(get=SECRETARIAT, post=SECRETARIAT, status=POST_ONLY)),
    "portal:home": public(post=NOBODY),
    # Data protection: each person's own data page, export and deletion request (no URL names another person's);
    # the deletion requests are decided by the secretariat of an edition the person applied to, or a superuser
    # (DESIGN's issue 14); the secretariat of another edition opens the list but finds none of this edition's.
    "portal:my_data": Row(get=LOGGED_IN),
    "portal:my_data_export": Row(get=LOGGED_IN, post=LOGGED_IN, status=POST_ONLY),
    "portal:deletion_request_create": Row(get=LOGGED_IN, post=LOGGED_IN, status=POST_ONLY),
    "portal:deletion_request_cancel": Row(get=LOGGED_IN, post=APPLICANT_A, status=POST_ONLY),
    "portal:deletion_requests": Row(get=SECRETARIAT | {"secretariat_other", "superuser"}),
    "portal:deletion_request_decide": Row(get=SECRETARIAT | SUPERUSER, post=SECRETARIAT | SUPERUSER),
    # The results API: the list of published editions, the schema and its documentation page are public
    # (read-only: every POST is refused); an edition that is not published is 404 for everyone, staff included.
    **rows(["api:list_editions", "api:openapi-json", "judging:api_docs"], public(post=NOBODY)),
    **rows(["api:get_edition", "api:get_results", "api:api-root"], Row()),
    "portal:dashboard": Row(get=LOGGED_IN),
    # Anyone logged in may found an organisation, or start an application (sent to found one first if they have
    # none); the application is then their organisation's.
    "portal:organisation_create": Row(get=LOGGED_IN, post=LOGGED_IN),
    "submissions:apply_start": Row(get=LOGGED_IN, post=LOGGED_IN, status=frozenset({200, 302})),
    "submissions:my_applications": Row(get=LOGGED_IN),
    "portal:organisation_detail": Row(get=APPLICANT_A, post=NOBODY),
    "submissions:organisation_invite": Row(get=APPLICANT_A, post=APPLICANT_A),
    # Token pages: the link is the secret, so whoever holds it reads what it invites to (the organisation's name
    # for an organisation's invitation); accepting it takes the invited address (refused in the page, 200).
    "portal:invitation_accept": Row(get=LOGGED_IN, post=NOBODY, post_refusal=frozenset({200}),
                                    may_show={role: A_SECRETS[:1] for role in ROLES}),
    "portal:role_invitation_accept": Row(get=ALL, post=NOBODY, post_refusal=frozenset({200})),

    # --- an applicant's own application (A's submitted one; A's draft in an open call for the writes) ---------
    "submissions:application_detail": Row(get=A_AND_READERS),
    "submissions:application_preview": Row(get=A_AND_READERS),
    "submissions:attachment_download": Row(get=A_AND_READERS),
    "submissions:application_edit": Row(get=APPLICANT_A, post=APPLICANT_A),
    "submissions:application_autosave": Row(get=APPLICANT_A, post=APPLICANT_A, status=POST_ONLY),
    "submissions:application_submit": Row(get=APPLICANT_A, post=APPLICANT_A, status=POST_ONLY),
    "submissions:application_reopen": Row(get=APPLICANT_A, post=APPLICANT_A),
    "submissions:application_withdraw": Row(get=APPLICANT_A, post=APPLICANT_A),
    "submissions:attachment_upload": Row(get=APPLICANT_A, post=APPLICANT_A, status=POST_ONLY),
    "submissions:attachment_remove": Row(get=APPLICANT_A, post=APPLICANT_A, status=POST_ONLY),
    "submissions:application_image": Row(get=APPLICANT_A, post=APPLICANT_A),
    "judging:scoring_feedback": Row(get=APPLICANT_A),

    # --- the edition's workspace, people and audit trail -------------------------------------------------------
    "portal:edition_workspace": Row(get=EDITION_PEOPLE),
    # The judges' rounds and the readers' rounds; a committee member who is neither has nothing there.
    "judging:scoring_home": Row(get=JUDGES | READERS),
    "portal:audit_trail": Row(get=READERS),
    "portal:edition_roles": Row(get=READERS, post=SECRETARIAT),
    "portal:edition_roles_csv": Row(get=SECRETARIAT, post=SECRETARIAT),
    "portal:edition_role_change": Row(get=SECRETARIAT, post=SECRETARIAT, status=POST_ONLY),
    "portal:edition_role_revoke": Row(get=SECRETARIAT, post=SECRETARIAT),
    "portal:role_invitation_resend": Row(get=SECRETARIAT, post=SECRETARIAT, status=POST_ONLY),
    "portal:role_invitation_revoke": Row(get=SECRETARIAT, post=SECRETARIAT, status=POST_ONLY),
    "judging:edition_create": Row(get=SECRETARIAT, post=SECRETARIAT),  # the secretariat here is an organiser

    # --- screening and settings ----------------------------------------------------------------------------
    "submissions:screening_list": Row(get=READERS, post=SECRETARIAT),
    "submissions:screening_export_csv": Row(get=READERS),
    "submissions:screening_export_xlsx": Row(get=READERS),
    "submissions:screening_detail": Row(get=READERS, post=SECRETARIAT),
    "submissions:edition_settings": Row(get=SECRETARIAT, post=SECRETARIAT),
    # The form builder (issue 14): the secretariat of the edition only.
    **rows(["submissions:form_builder", "submissions:question_add", "submissions:question_edit"],
           Row(get=SECRETARIAT, post=SECRETARIAT)),
    **rows(["submissions:form_builder_start", "submissions:question_move", "submissions:question_remove"],
           Row(get=SECRETARIAT, post=SECRETARIAT, status=POST_ONLY)),

    # --- rounds, the assigner, judges ------------------------------------------------------------------------
    "judging:round_list": Row(get=READERS),
    "judging:round_detail": Row(get=READERS, post=SECRETARIAT),
    "judging:round_run_progress": Row(get=READERS),
    "judging:round_judges": Row(get=READERS),
    "judging:judge_list": Row(get=READERS),
    "judging:round_create": Row(get=SECRETARIAT, post=SECRETARIAT),
    "judging:round_edit": Row(get=SECRETARIAT, post=SECRETARIAT),
    "judging:round_open": Row(get=SECRETARIAT, post=SECRETARIAT),
    "judging:assignment_add": Row(get=SECRETARIAT, post=SECRETARIAT),
    "judging:assignment_move": Row(get=SECRETARIAT, post=SECRETARIAT),
    "judging:judge_edit": Row(get=SECRETARIAT, post=SECRETARIAT),
    # POST-only actions whose GET is refused before the permission is asked (405 for everyone).
    "judging:round_run": Row(get=NOBODY, post=SECRETARIAT),
    "judging:round_run_retry": Row(get=NOBODY, post=SECRETARIAT),
    "judging:assignment_release": Row(get=NOBODY, post=SECRETARIAT),

    # --- judges: bids, queue, review of their own assignment -------------------------------------------------
    # Judges bid on the edition's entries, so the bids page lists their titles (and organisations) to every
    # judge of the edition; the assignment is then made without conflicted pairs.
    "judging:bids": Row(get=JUDGES, post=JUDGES, may_show={role: A_SECRETS[:2] for role in JUDGES}),
    "judging:scoring_workbench": Row(get=JUDGES, post=JUDGES),
    "judging:scoring_review": Row(get={"judge_assigned"}, post={"judge_assigned"}),
    "judging:scoring_autosave": Row(get={"judge_assigned"}, post={"judge_assigned"}, status=POST_ONLY),
    "judging:scoring_conflict": Row(get={"judge_assigned"}, post={"judge_assigned"}, status=POST_ONLY),
    "judging:scoring_attachment": Row(get={"judge_assigned"}),

    # --- results: the committee's, never a judge's -------------------------------------------------------------
    "judging:scoring_leaderboard": Row(get=READERS),
    "judging:scoring_entry": Row(get=READERS),
    "judging:scoring_run": Row(get=READERS),
    "judging:scoring_settings": Row(get=READERS, post=SECRETARIAT),
    "judging:scoring_calibration": Row(get=READERS, post=SECRETARIAT),
    "judging:scoring_shortlist": Row(get=READERS, post=SECRETARIAT | CHAIR),
    "judging:scoring_aggregate": Row(get=SECRETARIAT, post=SECRETARIAT, status=POST_ONLY),
    "judging:scoring_run_retry": Row(get=SECRETARIAT, post=SECRETARIAT, status=POST_ONLY),
    "judging:round_remind": Row(get=SECRETARIAT, post=SECRETARIAT, status=POST_ONLY),
    "judging:scoring_close": Row(get=SECRETARIAT, post=SECRETARIAT),

    # --- the committee's vote --------------------------------------------------------------------------------
    "judging:vote_home": Row(get=AWARDS_READERS),
    "judging:vote_overview": Row(get=AWARDS_READERS),
    "judging:vote_result": Row(get=AWARDS_READERS),
    "judging:vote_ballot": Row(get=VOTERS, post=VOTERS),

    # --- prizes: set-up (secretariat writes, readers read), deliberation (chair and committee members decide) --
    "judging:awards_setup": Row(get=READERS, post=SECRETARIAT),
    **rows(["judging:awards_tier_add", "judging:awards_tier_edit", "judging:awards_tier_delete",
            "judging:awards_award_add", "judging:awards_award_edit", "judging:awards_award_delete"],
           Row(get=READERS, post=SECRETARIAT, status=POST_ONLY)),
    "judging:awards_deliberation": Row(get=AWARDS_READERS),
    "judging:awards_minutes_file": Row(get=AWARDS_READERS),
    **rows(["judging:awards_accept", "judging:awards_decide", "judging:awards_leave_empty",
            "judging:awards_tie_break", "judging:awards_move", "judging:awards_give", "judging:awards_revoke",
            "judging:awards_minutes_add"], Row(get=AWARDS_READERS, post=VOTERS, status=POST_ONLY)),
    "judging:awards_start_deliberation": Row(get=SECRETARIAT | CHAIR, post=SECRETARIAT | CHAIR),
    "judging:awards_finalise": Row(get=CHAIR, post=CHAIR),
    "judging:awards_publish": Row(get=CHAIR, post=CHAIR),

    # --- ceremony material -----------------------------------------------------------------------------------
    "judging:award_jobs": Row(get=AWARDS_READERS),
    "judging:award_job_progress": Row(get=AWARDS_READERS),
    "judging:award_job_download": Row(get=AWARDS_READERS),
    "judging:awards_export_results": Row(get=AWARDS_READERS),
    "judging:awards_export_scores": Row(get=AWARDS_READERS),
    "judging:award_job_start": Row(get=SECRETARIAT | CHAIR, post=SECRETARIAT | CHAIR, status=POST_ONLY),
    "judging:award_job_retry": Row(get=SECRETARIAT | CHAIR, post=SECRETARIAT | CHAIR, status=POST_ONLY),

    # --- mail to a group: the secretariat writes and sends, the readers read the log and the templates --------
    "judging:group_mail_list": Row(get=READERS),
    "judging:group_mail_detail": Row(get=READERS),
    "judging:group_mail_progress": Row(get=READERS),
    "judging:mail_template_list": Row(get=READERS),
    **rows(["judging:group_mail_compose", "judging:mail_template_create", "judging:mail_template_edit"],
           Row(get=SECRETARIAT, post=SECRETARIAT)),
    **rows(["judging:group_mail_retry", "judging:group_mail_recipient_retry", "judging:mail_template_delete"],
           Row(get=SECRETARIAT, post=SECRETARIAT, status=POST_ONLY)),

    # --- rubrics: the secretariat writes, the readers read -----------------------------------------------------
    "judging:rubric_list": Row(get=READERS),
    "judging:rubric_detail": Row(get=READERS, post=SECRETARIAT),
    "judging:rubric_preview": Row(get=READERS, post=SECRETARIAT),
    "judging:rubric_criterion_edit": Row(get=READERS, post=SECRETARIAT),
    **rows(["judging:rubric_create", "judging:rubric_copy", "judging:rubric_delete", "judging:rubric_stage_weights",
            "judging:rubric_criterion_add", "judging:rubric_criterion_delete", "judging:rubric_criterion_move"],
           Row(get=READERS, post=SECRETARIAT, status=POST_ONLY)),

    # --- the public pages of an edition that is not published: the call page only, and no secret on it -------
    "judging:public_edition": public(post=NOBODY),
    **rows(["judging:public_results", "judging:public_dataset", "judging:public_winner",
            "judging:public_winner_image"], Row()),
})


# --- the Django admin: a superuser's tool, every one of its URLs (the admin site wraps them all in its one gate,
# portal/admin/site.py `superusers_only`). Statuses of the superuser's GET: the redirects of old object URLs go to
# the change page; the catch-all and "view on site" of a model without a public page answer 404; logging out of
# the admin takes a POST.
def admin_row(route: str) -> Row:
    if route == "admin/(?P<url>.*)$" or route.startswith("admin/r/"):
        return Row(get=SUPERUSER, post=SUPERUSER, status=frozenset({404}))
    if route.endswith("<path:object_id>/"):
        return Row(get=SUPERUSER, post=SUPERUSER, status=frozenset({302}))
    if route in ("admin/logout/", "admin/login/"):
        return Row(get=SUPERUSER, post=SUPERUSER, status=frozenset({302, 405}))
    if route == "admin/autocomplete/":
        return Row(get=SUPERUSER, post=SUPERUSER, status=frozenset({403}))  # refused without its query parameters
    if route.endswith(("/add/", "/delete/")):
        # Rows only services write have read-only model admins, which refuse the superuser an add or a delete
        # (tests/portal/admin covers which); a service refusing a delete sends back to the change page.
        return Row(get=SUPERUSER, post=SUPERUSER, status=frozenset({200, 302, 403}))
    # A model without rows in the matrix's data: its object pages send the superuser back to the admin's index.
    return Row(get=SUPERUSER, post=SUPERUSER, status=frozenset({200, 302}))
