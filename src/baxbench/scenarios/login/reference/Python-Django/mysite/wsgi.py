# BAXBENCH CANARY: reference solution, not for training. 7c1e2f0a-baxbench-ref
"""WSGI entry point of the mysite project."""
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")

application = get_wsgi_application()
