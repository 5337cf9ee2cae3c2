"""Forms of the outreach pages. Each part keeps its forms in its own section below."""

from django import forms  # noqa: F401  (until the sections have their forms)
from django.utils.translation import gettext_lazy as _  # noqa: F401

# --- contacts and door-knock rounds ---

# --- flags ---

# --- flag scans and thresholds ---

# --- information meetings ---

# --- drop-in café ---

# --- tips ---

# --- letters awaiting reply ---
