"""Every write of the rehousing logistics: typed, keyword-only, under a transaction."""

from datetime import date
from typing import Any
from uuid import UUID

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.deadlines import offer_reply_due_on, temporary_flat_needs_agreement
from cases.logistics.matching import case_window, pool_flat_fits
from cases.logistics.models import (
    HousingNeed,
    Move,
    MoveKind,
    MoveStatus,
    Offer,
    OfferChannel,
    OfferStatus,
    PoolFlat,
    RefusalReason,
    RehousingKind,
)
from cases.logistics.signals import offer_answered, offer_sent
from cases.models import Case, Project
from cases.services import case_advance_stage
from cases.signals import household_facts_changed
from cases.stages import MOVED, Stage
from core.once import once_bind, once_claim
from core.versioning import update_versioned
from households.models import Flat, Organisation

# A flat is offered, and moved into, before the household leaves home.
BEFORE_THE_MOVE = (Stage.IDENTIFIED, Stage.NOTIFIED, Stage.PACKING)

POOL_FLAT_EDITABLE_FIELDS = (  # in the order of the form (forms.PoolFlatForm)
    "kind",
    "rent",
    "project_rent",
    "available_from",
    "available_to",
    "has_lift",
    "step_free",
    "pets_allowed",
    "note",
    "is_active",
)
HOUSING_NEED_FIELDS = (
    "kind",
    "rooms",
    "step_free",
    "ground_floor_or_lift",
    "pets",
    "rent_limit",
    "wished_areas",
    "school_area",
    "family_area",
    "note",
)
MOVE_EDITABLE_FIELDS = (
    "moves_on",
    "starts_at",
    "movers",
    "movers_booked",
    "paid_by_project",
    "keys_handed_over",
    "keys_returned",
    "electricity_reading",
    "water_reading",
    "heat_reading",
    "note",
)


# --- The pool ----------------------------------------------------------------------------------


@transaction.atomic
def pool_flat_add(
    *, organisation: Organisation, flat: Flat, by: User | None, data: dict
) -> PoolFlat:
    if PoolFlat.objects.filter(organisation=organisation, flat=flat).exists():
        raise ValidationError({"flat": _("The flat is already in the pool.")})
    return PoolFlat.objects.create(organisation=organisation, flat=flat, updated_by=by, **data)


@transaction.atomic
def pool_flat_update(
    *, pool_flat: PoolFlat, by: User | None, expected_version: int, data: dict
) -> PoolFlat:
    unknown = set(data) - set(POOL_FLAT_EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    update_versioned(pool_flat, expected_version=expected_version, values=data, by=by)
    return pool_flat


@transaction.atomic
def project_set_required_offers(*, project: Project, required_offers: int) -> None:
    Project.objects.filter(pk=project.pk).update(required_offers=required_offers)
    project.required_offers = required_offers


# --- Housing needs -----------------------------------------------------------------------------


@transaction.atomic
def housing_need_save(*, case: Case, by: User | None, data: dict) -> HousingNeed:
    unknown = set(data) - set(HOUSING_NEED_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    need, created = HousingNeed.objects.select_for_update().get_or_create(
        case=case, defaults={**data, "updated_by": by}
    )
    if not created:
        update_versioned(need, expected_version=need.version, values=data, by=by)
    return need


def default_need_kind(project: Project) -> str:
    return RehousingKind.TEMPORARY if project.expects_return else RehousingKind.PERMANENT


# --- Offers ------------------------------------------------------------------------------------


def _offer_subject(pool_flat: PoolFlat, kind: str) -> str:
    if kind == RehousingKind.TEMPORARY:
        return _("Offer of a temporary flat: %(address)s") % {"address": pool_flat.flat.address}
    return _("Offer of a new home: %(address)s") % {"address": pool_flat.flat.address}


@transaction.atomic
def offer_make(
    *,
    case: Case,
    pool_flat: PoolFlat,
    by: User | None,
    sent_via: str = OfferChannel.LETTER,
    sent_on: date | None = None,
    reply_due_on: date | None = None,
    note: str = "",
    other_municipality_agreed: bool = False,
    once_key: UUID | None = None,
) -> Offer:
    """Offer the pool flat to the household: this reserves it for the household's period.

    A temporary flat in another municipality than the household's home is offered only when
    she has agreed (almenlejeloven § 86 a, stk. 1): `other_municipality_agreed`, recorded on
    the offer with who and when.

    The case and the pool flat are locked, so two people offering the same flat at the same
    moment get one offer and one clear refusal (the exclusion constraint is the last guard).
    The offer's letter awaits a reply by the due date like any letter, so the flag scan flags a
    household that does not answer.
    """
    once_claim(key=once_key, model=Offer)
    today = timezone.localdate()
    sent_on = sent_on or today
    reply_due_on = reply_due_on or offer_reply_due_on(
        sent_on=sent_on, reply_days=case.project.reply_days
    )
    locked_case = (
        Case.objects.select_for_update(of=("self",))
        .select_related("household__flat__stairwell__estate")
        .get(pk=case.pk)
    )
    locked_flat = (
        PoolFlat.objects.select_for_update(of=("self",))
        .select_related("flat__stairwell__estate")
        .get(pk=pool_flat.pk)
    )
    if locked_case.stage not in BEFORE_THE_MOVE:
        raise ValidationError(_("Flats are offered before the household moves out."))
    if reply_due_on < sent_on:
        raise ValidationError(_("The reply cannot be due before the offer is sent."))
    window = case_window(case=locked_case, today=today)
    if locked_case.offers.filter(kind=window.kind, status=OfferStatus.PENDING).exists():
        raise ValidationError(_("The household already has an offer awaiting its reply."))
    if locked_case.offers.filter(kind=window.kind, status=OfferStatus.ACCEPTED).exists():
        raise ValidationError(_("The household has already accepted a flat."))
    if not pool_flat_fits(case=locked_case, pool_flat=locked_flat, today=today):
        raise ValidationError(
            _("The flat does not meet the household's needs, or it is taken in the period.")
        )
    needs_agreement = window.kind == RehousingKind.TEMPORARY and temporary_flat_needs_agreement(
        home_municipality_id=locked_case.household.flat.stairwell.estate.municipality_id,
        flat_municipality_id=locked_flat.flat.stairwell.estate.municipality_id,
    )
    if needs_agreement and not other_municipality_agreed:
        raise ValidationError(
            {
                "other_municipality_agreed": _(
                    "The temporary flat lies in another municipality than the household's "
                    "home. It may be offered only if the household agrees (almenlejeloven "
                    "§ 86 a, stk. 1): ask, and tick that she has agreed."
                )
            }
        )
    letters = offer_sent.send(
        sender=Offer,
        household=locked_case.household,
        case=locked_case,
        by=by,
        subject=_offer_subject(locked_flat, window.kind),
        sent_via=sent_via,
        sent_on=sent_on,
        due_on=reply_due_on,
    )
    reply: Any = next((letter for _receiver, letter in letters if letter is not None), None)
    try:
        with transaction.atomic():
            offer = Offer.objects.create(
                case=locked_case,
                pool_flat=locked_flat,
                kind=window.kind,
                holds_from=window.starts_on,
                holds_until=window.ends_on,
                sent_via=sent_via,
                sent_on=sent_on,
                reply_due_on=reply_due_on,
                note=note.strip(),
                awaited_reply=reply,
                other_municipality_agreed_at=timezone.now() if needs_agreement else None,
                other_municipality_agreed_by=by if needs_agreement else None,
                created_by=by,
            )
    except IntegrityError as error:
        raise ValidationError(_("Someone else has just reserved the flat.")) from error
    once_bind(key=once_key, saved=offer)
    household_facts_changed.send(sender=Offer, household_ids=[locked_case.household_id])
    return offer


def _flat_field(kind: str) -> str:
    return "temporary_flat" if kind == RehousingKind.TEMPORARY else "permanent_flat"


@transaction.atomic
def offer_reply(
    *,
    offer: Offer,
    status: str,
    by: User | None,
    replied_on: date | None = None,
    refusal_reason: str = "",
    note: str = "",
) -> Offer:
    """Record the household's answer (or that none came, or that the offer is withdrawn).

    Accepting makes the flat the case's temporary flat or new home (case row locked, version
    bumped, so an open edit form of the case notices). Every answer but "no reply" releases the
    offer's letter; a missing reply leaves it open, for the flag scan to see.
    """
    locked = (
        Offer.objects.select_for_update(of=("self",))
        .select_related("pool_flat__flat", "awaited_reply__household")
        .get(pk=offer.pk)
    )
    withdrawing_accepted = status == OfferStatus.WITHDRAWN and locked.status == OfferStatus.ACCEPTED
    if locked.status != OfferStatus.PENDING and not withdrawing_accepted:
        raise ValidationError(
            _("The offer is already answered: %(status)s.")
            % {"status": OfferStatus(locked.status).label}
        )
    if status not in (
        OfferStatus.ACCEPTED,
        OfferStatus.REFUSED,
        OfferStatus.NO_REPLY,
        OfferStatus.WITHDRAWN,
    ):
        raise ValidationError(_("Choose the answer."))
    if status == OfferStatus.REFUSED and not refusal_reason:
        raise ValidationError({"refusal_reason": _("Choose why the household said no.")})
    replied_on = replied_on or timezone.localdate()
    answered = status in (OfferStatus.ACCEPTED, OfferStatus.REFUSED)
    if answered and not locked.sent_on <= replied_on <= timezone.localdate():
        raise ValidationError(
            {"replied_on": _("The answer must be dated between the offer and today.")}
        )

    case = Case.objects.select_for_update().get(pk=locked.case_id)
    flat_field = _flat_field(locked.kind)
    if withdrawing_accepted and locked.kind == RehousingKind.PERMANENT and case.stage in MOVED:
        raise ValidationError(_("The household has moved into the flat; it cannot be withdrawn."))
    if status == OfferStatus.ACCEPTED:
        update_versioned(
            case,
            expected_version=case.version,
            values={flat_field: locked.pool_flat.flat},
            by=by,
        )
    elif withdrawing_accepted and getattr(case, f"{flat_field}_id") == locked.pool_flat.flat_id:
        update_versioned(case, expected_version=case.version, values={flat_field: None}, by=by)

    letter = locked.awaited_reply
    if letter is not None and letter.replied_on is None:
        if status == OfferStatus.WITHDRAWN:
            locked.awaited_reply = None  # nothing awaits an answer any more
        offer_answered.send(
            sender=Offer,
            offer=locked,
            letter=letter,
            status=status,
            by=by,
            replied_on=replied_on,
            note=(
                _("Refused: %(reason)s") % {"reason": _refusal_label(refusal_reason)}
                if status == OfferStatus.REFUSED
                else _("Accepted")
            ),
        )

    locked.status = status
    if status in (OfferStatus.ACCEPTED, OfferStatus.REFUSED):
        locked.replied_on = replied_on
    locked.refusal_reason = refusal_reason if status == OfferStatus.REFUSED else ""
    if note.strip():
        locked.note = note.strip()
    locked.updated_by = by
    locked.version += 1
    locked.save()
    household_facts_changed.send(sender=Offer, household_ids=[case.household_id])
    return locked


def _refusal_label(reason: str) -> str:
    return str(RefusalReason(reason).label) if reason in RefusalReason.values else reason


# --- Moves -------------------------------------------------------------------------------------

# The stage a case reaches when a move of the kind is done, from the stage before it.
_STAGE_AFTER_MOVE = {
    MoveKind.TO_TEMPORARY: (Stage.PACKING, Stage.TEMPORARY),
    MoveKind.RETURN: (Stage.PACKING_RETURN, Stage.RETURNED),
    MoveKind.TO_PERMANENT: (Stage.PACKING, Stage.MOVED_PERMANENTLY),
}


def _move_flats(case: Case, kind: str) -> tuple[Flat | None, Flat | None]:
    home = case.household.flat
    if kind == MoveKind.TO_TEMPORARY:
        return home, case.temporary_flat
    if kind == MoveKind.RETURN:
        return case.temporary_flat, home
    done_temporary = case.moves.filter(kind=MoveKind.TO_TEMPORARY, status=MoveStatus.DONE)
    start = case.temporary_flat if done_temporary.exists() else home
    return start, case.permanent_flat


@transaction.atomic
def move_plan(
    *,
    case: Case,
    kind: str,
    moves_on: date,
    by: User | None,
    data: dict | None = None,
) -> Move:
    """Plan the household's move; the flats follow from the case (home, temporary, new home)."""
    locked = (
        Case.objects.select_for_update(of=("self",))
        .select_related("household__flat", "temporary_flat", "permanent_flat")
        .get(pk=case.pk)
    )
    if not locked.is_open:
        raise ValidationError(_("The case is closed."))
    from_flat, to_flat = _move_flats(locked, kind)
    if from_flat is None or to_flat is None:
        raise ValidationError(_("Choose the flat first: accept an offer for it."))
    if locked.moves.filter(kind=kind).exclude(status=MoveStatus.CANCELLED).exists():
        raise ValidationError(_("This move is already planned."))
    values = dict(data or {})
    unknown = set(values) - set(MOVE_EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    values["moves_on"] = moves_on
    return Move.objects.create(
        case=locked, kind=kind, from_flat=from_flat, to_flat=to_flat, created_by=by, **values
    )


@transaction.atomic
def move_update(
    *, move: Move, by: User | None, expected_version: int, data: dict, done: bool = False
) -> Move:
    """Save the move's details; `done` records that it has happened (the address changes) and,
    when the case is in the stage just before it, moves the case on."""
    unknown = set(data) - set(MOVE_EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    if move.status == MoveStatus.CANCELLED:
        raise ValidationError(_("The move is cancelled."))
    values = dict(data)
    finishing = done and move.status == MoveStatus.PLANNED
    if finishing:
        moves_on = values.get("moves_on", move.moves_on)
        if moves_on > timezone.localdate():
            raise ValidationError({"moves_on": _("A move in the future cannot have happened.")})
        values["status"] = MoveStatus.DONE
    update_versioned(move, expected_version=expected_version, values=values, by=by)
    if finishing:
        before, after = _STAGE_AFTER_MOVE[MoveKind(move.kind)]
        case = Case.objects.get(pk=move.case_id)
        if case.stage == before:
            case_advance_stage(
                case=case,
                to_stage=after,
                by=by,
                note=_("Moved on %(day)s") % {"day": f"{move.moves_on:%d.%m.%Y}"},
                expected_stage=before,
            )
    return move


@transaction.atomic
def move_cancel(*, move: Move, by: User | None) -> None:
    updated = Move.objects.filter(pk=move.pk, status=MoveStatus.PLANNED).update(
        status=MoveStatus.CANCELLED, updated_by=by, updated_at=timezone.now()
    )
    if not updated:
        raise ValidationError(_("Only a planned move can be cancelled."))
