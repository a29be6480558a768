from django.apps import AppConfig


class RemediesConfig(AppConfig):
    name = "remedies"

    def ready(self) -> None:
        from remedies import signals  # noqa: F401 (connects the receivers)
