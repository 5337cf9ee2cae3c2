from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = "Privacy (GDPR)"

    def ready(self) -> None:
        # A large art. 15 export is a report job `reports` runs and serves (it may not import
        # privacy): the maker is passed in at start-up.
        from privacy.services import resident_access_maker_register

        resident_access_maker_register()
