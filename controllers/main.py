# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import http
from odoo.exceptions import AccessError, MissingError
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal


class CartReminderPortal(CustomerPortal):
    @http.route(
        "/shop/cart/reminders/unsubscribe/<int:order_id>",
        type="http",
        auth="public",
        website=True,
        methods=["GET", "POST"],
        sitemap=False,
    )
    def cart_reminders_unsubscribe(self, order_id, access_token=None, **post):
        """The unsubscribe link of the cart reminders: ask, then opt out on POST.

        The link only asks: mail scanners that open links unsubscribe nobody.
        """
        try:
            order_sudo = self._document_check_access(
                "sale.order", order_id, access_token=access_token
            )
        except (AccessError, MissingError):
            return request.redirect("/my")
        values = {"order": order_sudo, "access_token": access_token, "done": False}
        if request.httprequest.method == "POST":
            values["done"] = bool(order_sudo._unsubscribe_from_cart_reminders())
        return request.render(
            "website_sale_order_tracking.cart_reminders_unsubscribe", values
        )

    @http.route(
        "/my/orders/<int:order_id>/tracking",
        type="http",
        auth="public",
        website=True,
        sitemap=False,
    )
    def portal_order_tracking(self, order_id, access_token=None, **kw):
        """The order's tracking page: Odoo's own portal access to the order."""
        try:
            order_sudo = self._document_check_access(
                "sale.order", order_id, access_token=access_token
            )
        except (AccessError, MissingError):
            return request.not_found()
        values = order_sudo._get_tracking_page_values()
        values.update(
            order=order_sudo, access_token=access_token, page_name="order_tracking"
        )
        return request.render(
            "website_sale_order_tracking.portal_order_tracking", values
        )

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
