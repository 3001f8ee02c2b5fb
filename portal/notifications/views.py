"""/avisos: every message the portal sent to the person, newest first."""

from __future__ import annotations

from flask import Blueprint, render_template, url_for
from flask_login import current_user, login_required

from portal.notifications import services
from portal.views_util import int_arg

bp = Blueprint("notifications", __name__, url_prefix="/avisos")


@bp.get("/")
@login_required
def index():
    page = int_arg("pagina", 1, minimum=1, maximum=100_000)
    notices, pages = services.list_notices_for(current_user, page)
    unread = {n.id for n in notices if n.read_at is None}
    page_html = render_template(
        "notifications/index.html",
        notices=notices,
        unread=unread,
        page=max(1, min(page, pages)),
        pages=pages,
        url_for_page=lambda n: url_for(".index", pagina=n),
    )
    # Seeing the list is reading it: what was shown unread is marked read once shown (still
    # flagged "Nuevo" on this page).
    services.mark_read(actor=current_user, notice_ids=sorted(unread))
    return page_html


@bp.app_context_processor
def unread_notices():
    """`unread_notices()` in every template: the header's count (one query, when asked)."""

    def count() -> int:
        if not current_user.is_authenticated or current_user.is_staff:
            return 0
        return services.unread_count(current_user)

    return {"unread_notices": count}


@bp.app_template_filter("local_datetime")
def local_datetime(moment) -> str:
    """An aware datetime as people in El Salvador read it: 27/03/2026 14:05."""
    from portal.applications.effects import LOCAL_TZ

    return moment.astimezone(LOCAL_TZ).strftime("%d/%m/%Y %H:%M")
