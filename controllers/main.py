# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from werkzeug.datastructures import FileStorage

from odoo import http
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal

from ..models.website_order_lookup_attempt import (
    LOOKUP_EMAIL_SIZE,
    LOOKUP_REFERENCE_SIZE,
)

# The longest text a parameter of these routes may hold; a longer one, or a file
# where text is expected, is refused before anything is read or written.
TEXT_PARAM_SIZES = {
    "reference": LOOKUP_REFERENCE_SIZE,
    "email": LOOKUP_EMAIL_SIZE,
    "access_token": 128,
}
TEXT_PARAM_SIZE = 4000  # any other parameter: a comment of the return form


class CartReminderPortal(CustomerPortal):
    def _get_document_or_none(self, model_name, document_id, access_token):
        """The document in sudo when Odoo's portal grants access, else None."""
        try:
            return self._document_check_access(
                model_name, document_id, access_token=access_token
            )
        except (AccessError, MissingError):
            return None

    def _check_text_params(self, files=()):
        """Refuse (400) a request whose parameters are not what the form sends.

        Every parameter is text of a reasonable size, without NUL characters
        (which PostgreSQL cannot store), but those named in ``files``, which are
        files (or left empty).
        """
        for name, value in request.params.items():
            if name in files:
                valid = not value or isinstance(value, FileStorage)
            elif isinstance(value, FileStorage):
                valid = False
            else:
                size = TEXT_PARAM_SIZES.get(name, TEXT_PARAM_SIZE)
                valid = not isinstance(value, str) or (
                    len(value) <= size and "\x00" not in value
                )
            if not valid:
                raise UserError(
                    request.env._(
                        "The form was sent with an invalid value of “%s”.", name
                    )
                )

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
                    return_sudo = order_sudo._create_return_request(
                        order_sudo._prepare_return_request_vals(
                            post, photo if photo and photo.filename else None
                        )
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
