"""Content packages as downloads: an administrator asks, the job queue makes the ZIP (its worksheets are PDFs)."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

from ...downloads.models import Download
from ...downloads.service import Progress, register_builder
from ...extensions import db
from ...orgs.forms import LANGUAGE_LABELS
from ...orgs.models import Organisation
from ...refusals import Refused
from ..models import ModuleVersion
from .build import PACKAGE_FORMATS, build_package, package_filename

#: The downloads kind of a content package.
PACKAGE_KIND = "modules.package"
#: The languages a package can be made in, with their names.
PACKAGE_LANGUAGES = LANGUAGE_LABELS


@dataclass(frozen=True)
class PackageRequest:
    """What the downloads area is asked to make (see downloads.offer.offer_built)."""

    params: dict
    title: str
    filename: str
    kind: str = PACKAGE_KIND
    mimetype: str = "application/zip"


def package_request(version: ModuleVersion, package_format: str, language: str) -> PackageRequest:
    """The download that makes `version` into a package of `package_format` in `language`.

    Raises Refused (field "format" or "language") for a format or language no package is made in.
    """
    if package_format not in PACKAGE_FORMATS:
        raise Refused({"format": _("Content package: choose SCORM 1.2 or cmi5 as the format (the request asked "
                                   "for “%(value)s”).", value=package_format)})
    if language not in PACKAGE_LANGUAGES:
        raise Refused({"language": _("Content package: choose English or Italian as the language of the package "
                                     "(the request asked for “%(value)s”).", value=language)})
    return PackageRequest(
        params={"module_version_id": version.id, "format": package_format, "language": language},
        title=_("%(module)s as %(format)s, in %(language)s", module=version.text("title", language),
                format=PACKAGE_FORMATS[package_format], language=PACKAGE_LANGUAGES[language]),
        filename=package_filename(version, package_format, language))


def build_content_package(download: Download, progress: Progress) -> bytes:
    """The job of a content package: the version, format and language its params name, for its organisation."""
    params = download.params
    version = db.session.get(ModuleVersion, params["module_version_id"])
    if version is None:
        raise LookupError("the module version packaged is gone")
    organisation = db.session.get(Organisation, download.organisation_id)
    return build_package(version, params["format"], params["language"], organisation).data


register_builder(PACKAGE_KIND, build_content_package)
