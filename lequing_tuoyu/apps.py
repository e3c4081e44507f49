from django.apps import AppConfig


class ProjectConfig(AppConfig):
    """The top floor as an app only so that its management commands (seed_demo, backup_check,
    rotate_personal_data) are found; it has no models."""

    name = "lequing_tuoyu"
    verbose_name = "乐清市普惠托育服务平台（项目）"
