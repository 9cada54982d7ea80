"""scripts/backup and scripts/restore: an application with its attachment, backed up from PostgreSQL and the private
folder, comes back identical in a new database and a new folder; a restore never overwrites data."""

import hashlib
import os
import re
import stat
import subprocess
import tarfile
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from tests.factories.submissions import ApplicationFactory, AttachmentFactory, make_pdf

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

REPO = Path(__file__).resolve().parent.parent


def _url(name: str) -> str:
    database = connection.settings_dict
    password = f":{database['PASSWORD']}" if database.get("PASSWORD") else ""
    return f"postgres://{database['USER']}{password}@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}/{name}"


def _admin(sql: str) -> None:
    with psycopg.connect(_url("postgres"), autocommit=True) as admin:
        admin.execute(sql)


def _run(script: str, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {key: value for key, value in os.environ.items()
             if key not in {"DATABASE_URL", "PRIVATE_MEDIA_ROOT", "AWS_STORAGE_BUCKET_NAME", "BACKUP_DIR"}}
    return subprocess.run([str(REPO / "scripts" / script), *args], env={**clean, **env},  # noqa: S603
                          capture_output=True, text=True, timeout=300)


@pytest.fixture
def restore_database():
    """An empty database beside the test database (portal_stack -> test_portal_stack_restore), dropped after."""
    name = f"{connection.settings_dict['NAME']}_restore"
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _admin(f'CREATE DATABASE "{name}"')
    yield name
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def backed_up(settings, tmp_path):
    """An application with a real PDF attached, committed, then backed up by scripts/backup."""
    assert connection.vendor == "postgresql"
    pdf = make_pdf(pages=3)
    attachment = AttachmentFactory(application=ApplicationFactory(title="Smart crossings for Seoul"),
                                   file__data=pdf, size=len(pdf), pages=3)
    result = _run("backup", env={"DATABASE_URL": _url(connection.settings_dict["NAME"]),
                                 "PRIVATE_MEDIA_ROOT": str(settings.PRIVATE_MEDIA_ROOT),
                                 "BACKUP_DIR": str(tmp_path / "backups")})
    assert result.returncode == 0, result.stderr
    archive = Path(result.stdout.strip())
    return {"archive": archive, "attachment": attachment, "pdf": pdf}


def test_backup_writes_one_timestamped_archive_readable_by_its_owner_only(backed_up, tmp_path):
    archive = backed_up["archive"]
    assert archive.parent == tmp_path / "backups"
    assert re.fullmatch(r"portal-\d{8}T\d{6}Z\.tar", archive.name)
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    with tarfile.open(archive) as tar:
        assert sorted(tar.getnames()) == sorted(
            ["." , "./database.dump", "./files.tar", "./MANIFEST", "./SHA256SUMS"])
        with tar.extractfile("./database.dump") as dump:
            assert dump.read(5) == b"PGDMP"  # pg_dump's custom format


def test_restore_brings_the_application_and_its_file_back_identical(backed_up, restore_database, tmp_path):
    restored_files = tmp_path / "restored-private"
    result = _run("restore", str(backed_up["archive"]),
                  env={"DATABASE_URL": _url(restore_database), "PRIVATE_MEDIA_ROOT": str(restored_files)})
    assert result.returncode == 0, result.stderr
    attachment = backed_up["attachment"]
    with psycopg.connect(_url(restore_database)) as restored:
        row = restored.execute(
            "SELECT a.title, f.file, f.size, f.pages, f.original_name FROM submissions_attachment f "
            "JOIN submissions_application a ON a.id = f.application_id WHERE f.id = %s", [attachment.pk]).fetchone()
        migrations = restored.execute("SELECT count(*) FROM django_migrations").fetchone()[0]
    assert row == ("Smart crossings for Seoul", attachment.file.name, len(backed_up["pdf"]), 3, attachment.original_name)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM django_migrations")
        assert migrations == cursor.fetchone()[0]
    restored_pdf = (restored_files / attachment.file.name).read_bytes()
    assert hashlib.sha256(restored_pdf).hexdigest() == hashlib.sha256(backed_up["pdf"]).hexdigest()


def test_restore_refuses_a_database_that_holds_data_and_changes_nothing(backed_up, tmp_path):
    # The test database itself is not empty.
    result = _run("restore", str(backed_up["archive"]),
                  env={"DATABASE_URL": _url(connection.settings_dict["NAME"]),
                       "PRIVATE_MEDIA_ROOT": str(tmp_path / "elsewhere")})
    assert result.returncode == 1
    assert "the database already holds" in result.stderr and "Nothing was restored." in result.stderr
    assert not (tmp_path / "elsewhere").exists()


def test_restore_refuses_a_files_folder_that_holds_files(backed_up, restore_database, tmp_path):
    occupied = tmp_path / "occupied"
    occupied.mkdir()
    (occupied / "keep.txt").write_text("someone's file")
    result = _run("restore", str(backed_up["archive"]),
                  env={"DATABASE_URL": _url(restore_database), "PRIVATE_MEDIA_ROOT": str(occupied)})
    assert result.returncode == 1
    assert "is not empty" in result.stderr
    with psycopg.connect(_url(restore_database)) as restored:
        assert restored.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()[0] == 0


def test_restore_refuses_a_damaged_archive(backed_up, restore_database, tmp_path):
    unpacked = tmp_path / "unpacked"
    with tarfile.open(backed_up["archive"]) as tar:
        tar.extractall(unpacked, filter="data")
    dump = unpacked / "database.dump"
    dump.write_bytes(dump.read_bytes()[:-10] + b"0123456789")
    damaged = tmp_path / "damaged.tar"
    with tarfile.open(damaged, "w") as tar:
        tar.add(unpacked, arcname=".")
    result = _run("restore", str(damaged), env={"DATABASE_URL": _url(restore_database),
                                                "PRIVATE_MEDIA_ROOT": str(tmp_path / "restored")})
    assert result.returncode == 1
    assert "the archive is damaged" in result.stderr
    assert not (tmp_path / "restored").exists()
