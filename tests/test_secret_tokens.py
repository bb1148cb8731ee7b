from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from cxculture.secret_tokens import bearer, digest, hint, new_secret


def test_a_new_secret_is_stored_only_as_its_digest():
    plain, stored = new_secret("cxapi")
    assert plain.startswith("cxapi_") and len(plain) == len("cxapi_") + 43
    assert stored == digest(plain) and plain not in stored
    assert new_secret("cxapi")[0] != plain
    assert hint(plain) == f"cxapi_…{plain[-4:]}"


def test_bearer_reads_only_a_bearer_authorization():
    def request(header):
        return Request(EnvironBuilder(headers={"Authorization": header} if header else {}).get_environ())
    assert bearer(request("Bearer cxapi_abc")) == "cxapi_abc"
    assert bearer(request("bearer  cxapi_abc ")) == "cxapi_abc"
    assert bearer(request("Basic dXNlcjpwYXNz")) is None
    assert bearer(request("Bearer ")) is None
    assert bearer(request(None)) is None
