# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from stdnum.util import get_cc_module

from odoo import models
from odoo.tools.sql import create_index


class ResPartner(models.Model):
    _inherit = "res.partner"

    def init(self):
        result = super().init()
        # Cart reminders stop once the same email ordered again, whoever the
        # contact: their cron looks partners up by normalized email.
        create_index(
            self.env.cr,
            "res_partner_email_normalized_index",
            self._table,
            ["email_normalized"],
            where="email_normalized IS NOT NULL",
        )
        return result

    def _is_valid_vat_number(self, vat):
        """Whether ``vat`` is a valid VAT number in this partner's country.

        Odoo's own check when base_vat is installed; otherwise python-stdnum's
        rule for the country (what base_vat uses), and any number for a country
        that has none.
        """
        self.ensure_one()
        if hasattr(self, "simple_vat_check"):  # base_vat is installed
            return bool(self._run_vat_test(vat, self.country_id))
        country_code = (self.country_id.code or "").lower()
        module = country_code and get_cc_module(country_code, "vat")
        return module.is_valid(vat) if module else True
