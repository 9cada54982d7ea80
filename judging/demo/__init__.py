"""The demo data of `seed_demo`, built in one place by calling the services only.

It spans the three apps (portal <- submissions <- judging), so it lives in judging, at the top:
- content.py: the made-up organisations and applications (deterministic, no database);
- people.py: demo users for every role (the secretariat is an organiser), the organisations;
- editions.py: the two demo editions, their categories and rubric, and their states;
- applications.py: applications created, filled in, given files and submitted as applicants do;
- judging.py: judges, bids, the round and its assignment, reviews.
The command is judging/management/commands/seed_demo.py. No state is set and no audit entry
is written here: every row comes from a service, as it would in a real edition.
"""
