"""Static files as production serves them (whitenoise): Brotli or gzip when the browser
takes it, and cached for a year under their content-hashed names."""

from django.core.management import call_command
from django.templatetags.static import static
from django.test import Client


def test_static_files_are_compressed_and_cached_for_good(settings, tmp_path):
    settings.DEBUG = False
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", "--noinput", verbosity=0)
    url = static("css/site.css")
    assert url != "/static/css/site.css"  # named after its content

    client = Client()  # a new handler: whitenoise indexes STATIC_ROOT when it starts
    brotli = client.get(url, headers={"accept-encoding": "gzip, deflate, br"})
    gzip = client.get(url, headers={"accept-encoding": "gzip"})
    plain = client.get(url)

    assert brotli["Content-Encoding"] == "br"
    assert gzip["Content-Encoding"] == "gzip"
    assert "Content-Encoding" not in plain
    assert int(brotli["Content-Length"]) < int(plain["Content-Length"]) / 2
    for response in (brotli, gzip, plain):
        assert response.status_code == 200
        assert "max-age=315360000" in response["Cache-Control"]
        assert "immutable" in response["Cache-Control"]
