from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo data and its commands (load_demo_data, demo_code): above every app it fills."""

    name = "demo"
