"""Site content edited by admins: the legal pages."""
