"""The encryption-key lifecycle: canary and start-up check, status, rotation and
re-encryption, adoption of a lost key and recovery, re-entry of lost values, and their models.

`crypto.py` (KeyRing, EncryptedText, blind index) stays at the bottom: models need it, and it
imports nothing from here.
"""
