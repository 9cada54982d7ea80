"""Which file storage the portal uses. Applicant files are never public, on either backend."""


def default_storage_config(*, bucket: str, private_root: str, endpoint_url: str | None = None,
                           region: str | None = None, access_key: str | None = None,
                           secret_key: str | None = None, expire: int = 300, location: str = "private") -> dict:
    """S3 (django-storages) with signed, expiring URLs when a bucket is named; else a private local folder.

    The local folder has no base URL: nothing in it is served by URL, downloads go
    through a view that checks the user's right to the file.
    """
    if bucket:
        return {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": bucket,
                "endpoint_url": endpoint_url or None,
                "region_name": region or None,
                "access_key": access_key or None,
                "secret_key": secret_key or None,
                "default_acl": "private",
                "querystring_auth": True,
                "signature_version": "s3v4",
                "querystring_expire": expire,
                "file_overwrite": False,
                "location": location,
            },
        }
    return {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(private_root), "base_url": None},
    }
