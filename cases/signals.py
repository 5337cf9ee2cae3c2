"""What happens to a case that the apps above cases act on (referrals: the practical-help
checklist when a case opens, the follow-up plan when a household moves permanently, the plan's
bridge-builder when one is assigned; outreach: the flags of households whose facts changed).
cases imports none of them; they connect receivers in their AppConfig.ready.

Each is sent by the service inside its transaction, so what a receiver writes commits or rolls
back with the change itself (outreach's flags wait for the commit: household_facts_changed).
Receivers call a service of their own app and hold no rule.
"""

from django.dispatch import Signal

# cases: the new cases (one or thousands, opened in one go; each with its project set).
cases_opened = Signal()
# case (locked, already saved in its new stage), to_stage, on: the local date of the change.
case_stage_changed = Signal()
# case, user: a bridge-builder just assigned to the case.
case_bridge_builder_assigned = Signal()
# household_ids (a list or a queryset of household ids): the facts the flag scan reads changed
# for these households (a case opened, moved on or got new dates; a stairwell schedule changed).
# outreach re-runs the scan's rules for them once the transaction commits (one timing for every
# change: the flags read the committed facts, and a failing evaluation cannot undo the change).
# Send it once for a change touching many households.
household_facts_changed = Signal()
