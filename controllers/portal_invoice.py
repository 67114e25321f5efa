# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The invoice request of a paid order (invoicing policy "on request")."""

from odoo import http
from odoo.exceptions import UserError
from odoo.http import request

from .portal_access import WebsiteSalePortalAccess


class InvoiceRequestPortal(WebsiteSalePortalAccess):
    @http.route(
        "/my/orders/<int:order_id>/invoice/request",
        type="http",
        auth="public",
        website=True,
        methods=["GET", "POST"],
        sitemap=False,
    )
    def portal_order_invoice_request(self, order_id, access_token=None, **post):
        """The customer asks for the invoice of a paid order (form, then POST)."""
        self._check_text_params()
        order_sudo = self._get_document_or_none("sale.order", order_id, access_token)
        if not order_sudo:
            raise request.not_found()
        billing = order_sudo.partner_invoice_id.commercial_partner_id
        values = {
            "order": order_sudo,
            "access_token": access_token,
            "business": post.get(
                "invoice_kind",
                "business" if billing.is_company or billing.vat else "consumer",
            )
            == "business",
            "company_name": post.get("company_name", ""),
            "vat": post.get("vat", ""),
            "error": order_sudo._get_invoice_request_blocker(),
        }
        if request.httprequest.method == "POST" and not values["error"]:
            try:
                with request.env.cr.savepoint():
                    order_sudo.action_request_invoice(
                        business=values["business"],
                        company_name=values["company_name"],
                        vat=values["vat"],
                    )
            except UserError as error:
                values["error"] = error.args[0]
            else:
                return request.redirect(
                    order_sudo.get_portal_url(
                        suffix="/tracking", query_string="&invoice_requested=1"
                    )
                )
        return request.render(
            "website_sale_order_tracking.portal_order_invoice_request", values
        )
