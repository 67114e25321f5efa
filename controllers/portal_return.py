# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The return form of an order and the pages of a return request."""

from odoo import http
from odoo.exceptions import UserError, ValidationError
from odoo.http import request

from .portal_access import WebsiteSalePortalAccess


class ReturnPortal(WebsiteSalePortalAccess):
    @http.route(
        "/my/orders/<int:order_id>/return",
        type="http",
        auth="public",
        website=True,
        methods=["GET", "POST"],
        sitemap=False,
    )
    def portal_order_return(self, order_id, access_token=None, photo=None, **post):
        """The customer's return form (GET), and the request it sends (POST)."""
        self._check_text_params(files=("photo",))
        order_sudo = self._get_document_or_none("sale.order", order_id, access_token)
        if not order_sudo:
            raise request.not_found()
        values = {
            "order": order_sudo,
            "access_token": access_token,
            "returnable_lines": order_sudo._get_returnable_lines(),
            "reasons": order_sudo.website_id._get_return_reasons(),
            "form": post,
            "error": None,
        }
        if request.httprequest.method == "POST":
            try:
                with request.env.cr.savepoint():
                    # In the environment of Odoo's portal access (the superuser),
                    # as the order: the customer is told, not made the author.
                    return_sudo = order_sudo.env[
                        "sale.return.request"
                    ]._create_from_portal_form(
                        order_sudo, post, photo if photo and photo.filename else None
                    )
            except (UserError, ValidationError) as error:
                values["error"] = error.args[0]
            else:
                return request.redirect(return_sudo.get_portal_url())
        return request.render("website_sale_order_tracking.portal_order_return", values)

    @http.route(
        "/my/returns/<int:request_id>",
        type="http",
        auth="public",
        website=True,
        sitemap=False,
    )
    def portal_return_request(self, request_id, access_token=None, **kw):
        """A return request, for its customer or whoever holds its link."""
        self._check_text_params()
        return_sudo = self._get_document_or_none(
            "sale.return.request", request_id, access_token
        )
        if not return_sudo:
            raise request.not_found()
        if kw.get("report_type") in ("html", "pdf", "text"):
            return self._show_report(
                model=return_sudo,
                report_type=kw["report_type"],
                report_ref="website_sale_order_tracking.action_report_return_slip",
                download=kw.get("download") == "true",
            )
        return request.render(
            "website_sale_order_tracking.portal_return_request",
            {"return_request": return_sudo, "access_token": access_token},
        )
