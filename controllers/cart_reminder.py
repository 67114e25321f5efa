# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The unsubscribe link of the abandoned-cart reminders."""

from odoo import http
from odoo.http import request

from .portal_access import WebsiteSalePortalAccess


class CartReminderUnsubscribe(WebsiteSalePortalAccess):
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
        self._check_text_params()
        order_sudo = self._get_document_or_none("sale.order", order_id, access_token)
        if not order_sudo:
            return request.redirect("/my")
        values = {"order": order_sudo, "access_token": access_token, "done": False}
        if request.httprequest.method == "POST":
            values["done"] = bool(order_sudo._unsubscribe_from_cart_reminders())
        return request.render(
            "website_sale_order_tracking.cart_reminders_unsubscribe", values
        )
