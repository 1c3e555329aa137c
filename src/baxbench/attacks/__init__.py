"""Reusable attack material for exploits: vectors, scanners and token tools.

One module per idea (paths, injection, credentials, jwt, ...); scenarios import what they need.
"""
