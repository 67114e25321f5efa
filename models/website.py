# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Settings of the addon shared by its features."""

from odoo import api, models
from odoo.exceptions import ValidationError


class Website(models.Model):
    _inherit = "website"

    def _check_email_template_models(self, models_):
        """Each template field of ``models_`` holds a template of its model.

        The fields' domains hold in the form only; a call writes any record.
        """
        for website in self:
            for field, model in models_.items():
                template = website[field]
                if template and template.model != model:
                    raise ValidationError(
                        self.env._(
                            "Website %(website)s: %(field)s must be an email "
                            "template of %(model)s.",
                            website=website.name,
                            field=website._fields[field].get_description(self.env)[
                                "string"
                            ],
                            model=self.env[model]._description,
                        )
                    )

    @api.model
    def _set_default_email_templates(self):
        """Give every website without them the addon's default emails.

        Called when the addon is installed: websites that existed before got
        empty templates (the templates did not exist yet when the columns were
        added), which the settings form would show empty and ask for by hand.
        """
        fields_ = [
            "unpaid_reminder_template_id",
            "unpaid_cancel_template_id",
            "shipping_email_template_id",
        ]
        defaults = self.default_get(fields_)
        for field in fields_:
            if defaults.get(field):
                self.search([(field, "=", False)]).write({field: defaults[field]})
