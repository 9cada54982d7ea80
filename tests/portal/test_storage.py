"""Files go to private storage: a local folder with no URL, or S3 with signed URLs (moto's real HTTP server)."""

import urllib.error
import urllib.request

import boto3
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from moto.server import ThreadedMotoServer

from config.storage import default_storage_config


def test_local_storage_is_private_by_default(tmp_path):
    config = default_storage_config(bucket="", private_root=str(tmp_path))
    assert config["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert config["OPTIONS"]["base_url"] is None


def test_the_local_private_folder_is_never_served_by_url(client, settings):
    name = storages["default"].save("applications/secret.pdf", ContentFile(b"%PDF-1.4 secret"))
    assert client.get(f"/media/{name}").status_code == 404
    assert client.get(f"/{name}").status_code == 404


@pytest.fixture
def s3_server():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def test_s3_storage_keeps_files_private_and_hands_out_signed_urls(s3_server, settings, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    boto3.client("s3", endpoint_url=s3_server, region_name="us-east-1").create_bucket(Bucket="portal-files")
    storage_config = default_storage_config(
        bucket="portal-files", private_root="/unused", endpoint_url=s3_server, region="us-east-1",
        access_key="testing", secret_key="testing", expire=60,
    )
    settings.STORAGES = {**settings.STORAGES, "default": storage_config}
    storage = storages["default"]
    assert type(storage).__name__ == "S3Storage"

    name = storage.save("applications/plan.pdf", ContentFile(b"%PDF-1.4 city plan"))
    url = storage.url(name)
    assert "X-Amz-Signature=" in url and "X-Amz-Expires=60" in url
    with urllib.request.urlopen(url) as response:  # noqa: S310 - loopback moto server
        assert response.read() == b"%PDF-1.4 city plan"

    s3 = boto3.client("s3", endpoint_url=s3_server, region_name="us-east-1")
    grants = s3.get_object_acl(Bucket="portal-files", Key=f"private/{name}")["Grants"]
    assert [grant["Grantee"].get("URI") for grant in grants] == [None]  # owner only, no AllUsers grant
    # A second file with the same name never overwrites the first.
    assert storage.save("applications/plan.pdf", ContentFile(b"other")) != name
