from django.apps import AppConfig


class BackupConfig(AppConfig):
    name = "truceline.backup"
    label = "backup"
