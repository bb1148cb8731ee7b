"""Demo listening data: each demo organisation's journey with owner teams, and a dozen remarks staff logged about
what customers told them (in the organisation's language), some acknowledged, some closed with what was done.
Left as it is when the organisation already has remarks, so running it twice changes nothing."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import select

from ..extensions import db
from ..orgs.models import Person
from ..orgs.service import organisation_by_slug, person_by_email
from ..orgs.teams import teams_by_path
from ..util import utcnow
from .journey import ensure_journey
from .masking import mask_personal_data
from .models import Remark, Touchpoint


@dataclass(frozen=True)
class DemoRemark:
    touchpoint: str
    channel: str
    feeling: str
    words: str
    days_ago: int
    #: The team whose member logged it; "employee" is the demo's employee account.
    logged_by: str
    idea: str = ""
    #: "new", "acknowledged" or "closed" (with the outcome).
    status: str = "new"
    outcome: str = ""


@dataclass(frozen=True)
class DemoListening:
    slug: str
    domain: str
    #: Touchpoint key -> owner team path.
    owners: dict
    remarks: tuple[DemoRemark, ...]


_RETAIL_STORE, _RETAIL_CC, _RETAIL_BO, _RETAIL_DIGITAL = (
    "Vendite/Milano Store", "Servizio clienti/Contact center", "Servizio clienti/Back office", "Marketing e digitale")
RETAIL = DemoListening("demo-retail", "retail.example.com", {
    "advertising": _RETAIL_DIGITAL, "website": _RETAIL_DIGITAL, "word_of_mouth": _RETAIL_DIGITAL,
    "store": _RETAIL_STORE, "online_shop": _RETAIL_DIGITAL, "contract": _RETAIL_BO, "app": _RETAIL_DIGITAL,
    "delivery": _RETAIL_BO, "invoice": _RETAIL_BO, "contact_centre": _RETAIL_CC, "email_chat": _RETAIL_CC,
    "complaints": _RETAIL_CC, "cancellation": _RETAIL_BO, "collections": _RETAIL_BO,
}, (
    DemoRemark("store", "in_person", "angry", "Ho aspettato venti minuti alla cassa con una sola cassa aperta, "
               "all'ora di pranzo.", 26, "employee", "Aprire una seconda cassa tra le 12 e le 14.", "closed",
               "Da lunedì a Milano apre una seconda cassa tra le 12 e le 14; lo verifichiamo tra un mese."),
    DemoRemark("store", "in_person", "unhappy", "Il prezzo sullo scaffale era diverso da quello in cassa: "
               "19,99 € invece di 14,99 €.", 12, "employee", "Controllo dei cartellini ogni lunedì mattina.",
               "acknowledged"),
    DemoRemark("store", "in_person", "delighted", "La commessa mi ha aiutato a trovare la taglia giusta in un altro "
               "negozio e me l'ha fatta arrivare qui.", 9, _RETAIL_STORE),
    DemoRemark("invoice", "phone", "angry", "Mi avete addebitato due volte la stessa fattura, richiamatemi al "
               "333 1234567.", 21, _RETAIL_CC, "Avvisare il cliente appena parte il rimborso.", "closed",
               "Rimborso fatto in 3 giorni; corretto l'errore del sistema che duplicava gli addebiti."),
    DemoRemark("contact_centre", "phone", "unhappy", "Ho dovuto spiegare il problema tre volte a tre operatori "
               "diversi.", 17, _RETAIL_CC, "Note del caso visibili a chi risponde dopo."),
    DemoRemark("email_chat", "chat", "neutral", "La chat chiude alle 18, ma io esco dal lavoro alle 18.", 6,
               _RETAIL_CC, "Estendere la chat fino alle 20 almeno in settimana."),
    DemoRemark("online_shop", "email", "unhappy", "Il codice sconto della newsletter non funziona nel carrello.",
               15, _RETAIL_CC, status="closed",
               outcome="Errore nella configurazione della promozione: corretto, e il cliente ha ricevuto lo sconto."),
    DemoRemark("delivery", "phone", "angry", "Il corriere è passato quando avevo scritto che non c'ero; "
               "nessuno mi ha avvisato.", 8, _RETAIL_CC, status="acknowledged"),
    DemoRemark("app", "social", "unhappy", "L'app si chiude quando provo a vedere la carta fedeltà.", 4,
               _RETAIL_STORE),
    DemoRemark("complaints", "email", "pleased", "Reclamo risolto in due giorni, e mi avete anche richiamato per "
               "sapere se andava bene.", 11, _RETAIL_CC, status="closed",
               outcome="Condiviso con tutto il contact center come esempio di richiamo dopo il reclamo."),
    DemoRemark("cancellation", "phone", "unhappy", "Per disdire la carta fedeltà devo venire in negozio: "
               "non si può fare online?", 3, _RETAIL_CC, "Disdetta anche dall'area clienti."),
    DemoRemark("collections", "in_person", "angry", "Ho ricevuto un sollecito di pagamento per una fattura già "
               "pagata, con un tono minaccioso.", 2, "employee"),
))

_BANK_BRANCH, _BANK_CC, _BANK_OPS, _BANK_DIGITAL = (
    "Branches/London Bridge", "Customer Care/Contact Centre", "Operations/Back Office", "Digital")
BANK = DemoListening("demo-bank", "bank.example.com", {
    "advertising": _BANK_DIGITAL, "website": _BANK_DIGITAL, "word_of_mouth": _BANK_DIGITAL,
    "store": _BANK_BRANCH, "online_shop": _BANK_DIGITAL, "contract": _BANK_OPS, "app": _BANK_DIGITAL,
    "delivery": _BANK_OPS, "invoice": _BANK_OPS, "contact_centre": _BANK_CC, "email_chat": _BANK_CC,
    "complaints": _BANK_CC, "cancellation": _BANK_OPS, "collections": _BANK_OPS,
}, (
    DemoRemark("store", "in_person", "unhappy", "I had to book an appointment to change my address; it took ten "
               "days.", 25, "employee", "Let tellers change an address at the counter with ID.", "closed",
               "Tellers at London Bridge can now change an address on the spot; other branches follow in May."),
    DemoRemark("store", "in_person", "pleased", "The adviser explained the mortgage fees in plain words, no "
               "jargon.", 14, "employee"),
    DemoRemark("store", "in_person", "angry", "The cash machine kept my card and nobody in the branch could give "
               "it back.", 5, _BANK_BRANCH, "A key holder on every shift.", "acknowledged"),
    DemoRemark("invoice", "email", "unhappy", "My statement shows a fee I was never told about.", 20, _BANK_CC,
               status="closed", outcome="Fee refunded; the fee is now listed in the welcome pack and the app."),
    DemoRemark("contact_centre", "phone", "angry", "Forty minutes on hold, then the line dropped. Call me back on "
               "07700 900123.", 18, _BANK_CC, "Offer a call-back instead of the queue.", "closed",
               "Call-back option switched on for waits over ten minutes."),
    DemoRemark("contact_centre", "phone", "delighted", "The agent stayed on the line until the transfer had "
               "arrived.", 7, _BANK_CC),
    DemoRemark("app", "social", "unhappy", "The app logs me out every time I switch to another app to copy a "
               "code.", 10, _BANK_BRANCH, status="acknowledged"),
    DemoRemark("online_shop", "chat", "neutral", "Opening a savings account online asks for the same document "
               "twice.", 9, _BANK_CC, "Reuse the ID already uploaded."),
    DemoRemark("complaints", "email", "unhappy", "I complained two weeks ago and only got an automatic reply.", 6,
               _BANK_CC),
    DemoRemark("collections", "in_person", "angry", "The arrears letter threatened legal action over a £12 "
               "overdraft.", 4, "employee", "Softer first letter, with a phone number to agree a plan."),
    DemoRemark("cancellation", "phone", "neutral", "To close the account they asked me to send a signed letter "
               "by post.", 3, _BANK_CC, status="closed",
               outcome="Accounts can now be closed from the app after a security check."),
    DemoRemark("email_chat", "chat", "pleased", "Chat answered within a minute on a Sunday.", 1, _BANK_CC),
))

DEMO_LISTENING = (RETAIL, BANK)


@dataclass
class DemoListeningReport:
    loaded: list[str] = field(default_factory=list)
    remarks: int = 0


def load_demo_listening() -> DemoListeningReport:
    """Each demo organisation's journey, owner teams and remarks (organisations with remarks are left alone)."""
    report = DemoListeningReport()
    for spec in DEMO_LISTENING:
        organisation = organisation_by_slug(spec.slug)
        if organisation is None or db.session.scalar(
                select(Remark.id).where(Remark.organisation_id == organisation.id).limit(1)) is not None:
            continue
        ensure_journey(organisation.id)
        teams = teams_by_path(organisation.id)
        points = {t.key: t for t in db.session.scalars(select(Touchpoint).where(
            Touchpoint.organisation_id == organisation.id))}
        for key, path in spec.owners.items():
            if key in points and path in teams:
                points[key].owner_team_id = teams[path].id
        _add_remarks(spec, organisation.id, organisation.default_language, points, teams)
        report.loaded.append(organisation.name)
        report.remarks += len(spec.remarks)
    db.session.flush()
    return report


def _add_remarks(spec: DemoListening, organisation_id: int, language: str, points: dict, teams: dict) -> None:
    employee = person_by_email(f"employee@{spec.domain}")
    members: dict[str, list[Person]] = {}
    now = utcnow().replace(second=0, microsecond=0)
    for number, entry in enumerate(spec.remarks):
        if entry.logged_by == "employee":
            author = employee
        else:
            team = teams[entry.logged_by]
            staff = members.setdefault(entry.logged_by, list(db.session.scalars(
                select(Person).where(Person.team_id == team.id, Person.active.is_(True)).order_by(Person.id))))
            author = staff[number % len(staff)] if staff else employee
        point = points[entry.touchpoint]
        owner = _owner_manager(point, teams)
        logged_at = now - timedelta(days=entry.days_ago, hours=number)
        remark = Remark(organisation_id=organisation_id, touchpoint=point, channel=entry.channel,
                        feeling=entry.feeling, customer_words=mask_personal_data(entry.words, language),
                        idea=mask_personal_data(entry.idea, language) or None, status=entry.status,
                        logged_by_id=author.id if author else None, logged_at=logged_at)
        if entry.status in ("acknowledged", "closed"):
            remark.acknowledged_by_id, remark.acknowledged_at = owner, logged_at + timedelta(hours=5)
        if entry.status == "closed":
            remark.outcome, remark.closed_by_id = entry.outcome, owner
            remark.closed_at = logged_at + timedelta(days=min(entry.days_ago - 1, 4) or 0, hours=6)
        db.session.add(remark)


def _owner_manager(point: Touchpoint, teams: dict) -> int | None:
    """A manager of the touchpoint's owner team: who acknowledges and closes its demo remarks."""
    if point.owner_team_id is None:
        return None
    return db.session.scalar(select(Person.id).where(
        Person.team_id == point.owner_team_id, Person.permission_rows.any(name="manager")).order_by(Person.id)
        .limit(1))
