# BAXBENCH CANARY: reference solution, not for training. 7c1e2f0a-baxbench-ref
from django.apps import AppConfig


class MyappConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "myapp"
