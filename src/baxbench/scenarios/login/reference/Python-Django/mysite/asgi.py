# BAXBENCH CANARY: reference solution, not for training. 7c1e2f0a-baxbench-ref
"""ASGI entry point of the mysite project."""
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")

application = get_asgi_application()
