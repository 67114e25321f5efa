# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The guest lookup of an order by reference and checkout email."""

from odoo import http
from odoo.http import request

from .portal_access import WebsiteSalePortalAccess


class OrderStatusLookup(WebsiteSalePortalAccess):
    @http.route(
        "/order-status",
        type="http",
        auth="public",
        website=True,
        methods=["GET", "POST"],
        sitemap=False,
    )
    def order_status_lookup(self, reference=None, email=None, **post):
        """A guest finds an order by its reference and checkout email."""
        self._check_text_params()
        values = {"reference": reference or "", "email": email or "", "error": None}
        if request.httprequest.method == "POST":
            order_sudo, error = request.env[
                "website.order.lookup.attempt"
            ]._lookup_order(
                request.website,
                reference,
                email,
                request.httprequest.remote_addr,
            )
            if order_sudo:
                return request.redirect(order_sudo.get_portal_url(suffix="/tracking"))
            values["error"] = error
        return request.render("website_sale_order_tracking.order_status_lookup", values)
