# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The customer's tracking page of an order."""

from odoo import http
from odoo.http import request

from .portal_access import WebsiteSalePortalAccess


class OrderTrackingPortal(WebsiteSalePortalAccess):
    @http.route(
        "/my/orders/<int:order_id>/tracking",
        type="http",
        auth="public",
        website=True,
        sitemap=False,
    )
    def portal_order_tracking(self, order_id, access_token=None, **kw):
        """The order's tracking page: Odoo's own portal access to the order."""
        self._check_text_params()
        order_sudo = self._get_document_or_none("sale.order", order_id, access_token)
        if not order_sudo:
            raise request.not_found()
        values = order_sudo._get_tracking_page_values()
        values.update(
            order=order_sudo,
            access_token=access_token,
            page_name="order_tracking",
            invoice_requested=bool(kw.get("invoice_requested")),
        )
        return request.render(
            "website_sale_order_tracking.portal_order_tracking", values
        )
