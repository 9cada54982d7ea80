"""The submissions app's forms: `applicant` (applying, drafts, files, invitations) and `secretariat`
(screening decisions, edition settings). They check the shape of the input; the services decide."""
