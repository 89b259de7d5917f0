"""How the admin pages name audit actions (a Jinja global of the admin blueprint)."""

from __future__ import annotations

from talento.audit.models import AuditAction
from talento.i18n import lazy_gettext as _l

ACTION_LABELS = {
    AuditAction.PERSONAL_DATA_VIEW: _l("Consultation de données personnelles"),
    AuditAction.PERSONAL_DATA_EXPORT: _l("Export de données personnelles"),
    AuditAction.EXPORT: _l("Export"),
    AuditAction.LOGIN: _l("Connexion"),
    AuditAction.LOGIN_FAILED: _l("Échec de connexion"),
    AuditAction.PASSWORD_CHANGE: _l("Changement de mot de passe"),
    AuditAction.PASSWORD_RESET: _l("Réinitialisation de mot de passe"),
    AuditAction.PASSWORD_LINK_SENT: _l("Lien de mot de passe envoyé"),
    AuditAction.USER_CREATE: _l("Création de compte"),
    AuditAction.USER_UPDATE: _l("Modification de compte"),
    AuditAction.ROLE_CHANGE: _l("Changement de rôle"),
    AuditAction.CAPABILITY_CHANGE: _l("Changement des capacités"),
    AuditAction.STATUS_CHANGE: _l("Activation / désactivation"),
    AuditAction.USER_DELETE: _l("Suppression de compte"),
    AuditAction.AUDIT_EXPORT: _l("Export du journal"),
    AuditAction.AUDIT_PURGE: _l("Purge du journal"),
    AuditAction.TWO_FACTOR_ENABLED: _l("Double authentification activée"),
    AuditAction.TWO_FACTOR_DISABLED: _l("Double authentification désactivée"),
    AuditAction.TWO_FACTOR_RESET: _l("Double authentification réinitialisée"),
    AuditAction.RECOVERY_CODE_USED: _l("Code de secours utilisé"),
    AuditAction.RECOVERY_CODES_REGENERATED: _l("Nouveaux codes de secours"),
    AuditAction.KEY_ADOPTED: _l("Adoption d'une nouvelle clé (données perdues)"),
    AuditAction.LOST_DATA_REENTERED: _l("Données perdues ressaisies"),
    AuditAction.LOST_DATA_NOTIFIED: _l("E-mail « données à ressaisir » envoyé"),
    AuditAction.OTHER_SESSIONS_ENDED: _l("Autres sessions déconnectées"),
    AuditAction.CONTACT_RELAYED: _l("Message transmis à un talent"),
    AuditAction.CONTACT_TRAPPED: _l("Message bloqué par l'anti-spam"),
    AuditAction.CONTACT_REPORTED: _l("Message signalé comme abusif"),
    AuditAction.EMAIL_VERIFIED: _l("Adresse e-mail vérifiée"),
    AuditAction.VERIFICATION_SENT: _l("Lien de vérification envoyé"),
    AuditAction.EMAIL_CHANGED: _l("Adresse e-mail changée"),
    AuditAction.LEGAL_PAGE_UPDATE: _l("Page légale modifiée"),
    AuditAction.CASTING_CONTACT_REVEAL: _l("Coordonnées casting affichées en clair"),
    AuditAction.CASTING_COMPLETION_REQUESTED: _l("Demande de compléter le profil casting"),
    AuditAction.ARTIST_CARD_VERIFIED: _l("Carte d'artiste vérifiée"),
    AuditAction.ARTIST_CARD_UNVERIFIED: _l("Vérification de la carte d'artiste retirée"),
    AuditAction.BADGES_PRINTED: _l("Badges imprimés"),
    AuditAction.TALENT_LIST_PRINTED: _l("Liste des talents d'un projet imprimée"),
}
