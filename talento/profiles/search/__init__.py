"""Searching people: the public directory (:mod:`.directory`), the admin's people search that
the exports share (:mod:`.people`) and the one query-string parser (:mod:`.query_args`).

Services only: they take validated filters and a session, never a request. Views stay in their
own packages (``profiles.directory_views``, ``admin.user_views``, ``admin.export_views``).
"""
