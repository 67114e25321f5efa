# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The customer's list of return requests (/my/returns) and its portal counter,
as Odoo's own portal lists: sorted, filtered and paged."""

from odoo import http
from odoo.http import request

from odoo.addons.portal.controllers.portal import pager as portal_pager

from .portal_access import WebsiteSalePortalAccess


class MyReturnsPortal(WebsiteSalePortalAccess):
    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "return_count" in counters:
            Return = request.env["sale.return.request"]
            values["return_count"] = (
                Return.search_count(self._prepare_returns_domain())
                if Return.has_access("read")
                else 0
            )
        return values

    def _prepare_returns_domain(self):
        partner = request.env.user.partner_id
        return [("partner_id", "child_of", [partner.commercial_partner_id.id])]

    def _get_returns_searchbar_sortings(self):
        return {
            "date": {
                "label": request.env._("Newest"),
                "order": "request_date desc, id desc",
            },
            "name": {"label": request.env._("Reference"), "order": "name desc"},
            "state": {"label": request.env._("Status"), "order": "state, id desc"},
        }

    def _get_returns_searchbar_filters(self):
        return {
            "all": {"label": request.env._("All"), "domain": []},
            "open": {
                "label": request.env._("In progress"),
                "domain": [
                    (
                        "state",
                        "in",
                        ("requested", "approved", "exchange", "received"),
                    )
                ],
            },
            "closed": {
                "label": request.env._("Closed"),
                "domain": [("state", "in", ("refunded", "rejected"))],
            },
        }

    @http.route(
        ["/my/returns", "/my/returns/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
        sitemap=False,
    )
    def portal_my_returns(self, page=1, sortby=None, filterby=None, **kw):
        """The customer's return requests, newest first, a page at a time."""
        self._check_text_params()
        Return = request.env["sale.return.request"]
        sortings = self._get_returns_searchbar_sortings()
        filters = self._get_returns_searchbar_filters()
        # An unknown key (a hand-made link) falls back to the default.
        sortby = sortby if sortby in sortings else "date"
        filterby = filterby if filterby in filters else "all"
        domain = self._prepare_returns_domain() + filters[filterby]["domain"]
        if not Return.has_access("read"):
            domain = [("id", "=", 0)]
        pager = portal_pager(
            url="/my/returns",
            total=Return.search_count(domain),
            page=page,
            step=self._items_per_page,
            url_args={"sortby": sortby, "filterby": filterby},
        )
        returns = Return.search(
            domain,
            order=sortings[sortby]["order"],
            limit=self._items_per_page,
            offset=pager["offset"],
        )
        values = self._prepare_portal_layout_values()
        values.update(
            {
                # Read in sudo as Odoo's lists do: the rules chose the records.
                "return_requests": returns.sudo(),
                "page_name": "returns",
                "pager": pager,
                "default_url": "/my/returns",
                "searchbar_sortings": sortings,
                "sortby": sortby,
                "searchbar_filters": filters,
                "filterby": filterby,
            }
        )
        return request.render("website_sale_order_tracking.portal_my_returns", values)
