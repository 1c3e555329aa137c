# BAXBENCH CANARY: reference solution, not for training. 7c1e2f0a-baxbench-ref
from django.db import models


class Account(models.Model):
    """A registered user. `password` holds a salted, slow hash (never the password itself)."""

    email = models.EmailField(unique=True)
    name = models.CharField(max_length=255)
    password = models.CharField(max_length=255)

    def __str__(self):
        return self.email
