"""Policies (learn / collect / eval modes) and their registry by ``policy.type``."""
