from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutreachConfig(AppConfig):
    name = "outreach"
    verbose_name = _("Outreach")

    def ready(self) -> None:
        from cases.logistics import signals
        from cases.selectors import CaseloadFlagFilter, caseload_flag_filter_add
        from cases.signals import household_facts_changed
        from core.jobs import JobType, job_type_register
        from outreach import receivers
        from outreach.models import FlagKind, ScanRun, ScanStatus
        from outreach.selectors import case_household_open_flags

        signals.offer_sent.connect(receivers.on_offer_sent, dispatch_uid="outreach.offer_sent")
        signals.offer_answered.connect(
            receivers.on_offer_answered, dispatch_uid="outreach.offer_answered"
        )
        # A case opened, moved on, got new dates, or a schedule changed: the flags follow on commit.
        household_facts_changed.connect(
            receivers.on_household_facts_changed, dispatch_uid="outreach.household_facts"
        )
        caseload_flag_filter_add(
            CaseloadFlagFilter(kinds=lambda: FlagKind.choices, open_flags=case_household_open_flags)
        )
        job_type_register(
            JobType(
                model=ScanRun,
                task_name="outreach.tasks.flag_scan",
                queued=ScanStatus.QUEUED,
                running=ScanStatus.RUNNING,
                failed=ScanStatus.FAILED,
                created_field="queued_at",
                finished_field="finished_at",
                failure_message=lambda: str(
                    _("The scan stopped and could not be started again. Run it again.")
                ),
            )
        )

        from outreach.letters.models import LetterBatch, LetterBatchStatus

        job_type_register(
            JobType(
                model=LetterBatch,
                task_name="outreach.letters.tasks.make_letter_batch",
                queued=LetterBatchStatus.QUEUED,
                running=LetterBatchStatus.RUNNING,
                failed=LetterBatchStatus.FAILED,
                created_field="created_at",
                finished_field="finished_at",
                failure_message=lambda: str(
                    _("The letters could not be made and were not started again. Try again.")
                ),
            )
        )

        # For the preview of a stairwell's date change: the flags that would appear or go, and
        # the letters already sent.
        from cases.planning.services import schedule_effect_add, sent_letters_source_add

        schedule_effect_add("flags", receivers.flags_open_after_evaluation)
        sent_letters_source_add(receivers.letters_sent)

        # The flag thresholds are part of the project form (new and edit), saved with it.
        from cases.planning.sections import ProjectFormSection, project_form_section_add

        project_form_section_add(
            ProjectFormSection(
                prefix="thresholds",
                legend=_("Flag thresholds"),
                allowed=receivers.thresholds_allowed,
                form=receivers.thresholds_form,
                save=receivers.thresholds_save,
            )
        )
