# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models
from odoo.exceptions import UserError


class StockPicking(models.Model):
    _inherit = "stock.picking"

    website_id = fields.Many2one(related="sale_id.website_id", string="Website")
    order_tracking_stage = fields.Selection(
        related="sale_id.tracking_stage", string="Order Tracking Stage"
    )
    shipping_email_date = fields.Datetime(
        string="Shipping Email Sent On",
        readonly=True,
        copy=False,
        help="When the website's shipping email went to the customer of the order.",
    )
    return_request_id = fields.Many2one(
        "sale.return.request",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The customer's return request this transfer brings back.",
    )

    def _filter_customer_deliveries(self):
        """The transfers that take goods to the customer: from the warehouse or
        straight from the vendor (dropship, with ``stock_dropshipping``); not a
        step inside the warehouse (pick, pack), not a return."""
        return self.filtered(
            lambda p: p.picking_type_code in ("outgoing", "dropship")
            and p.location_dest_id.usage == "customer"
        )

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su and any(vals.get("return_request_id") for vals in vals_list):
            self._raise_return_request_link()
        return super().create(vals_list)

    def write(self, vals):
        if "return_request_id" in vals and not self.env.su:
            self._raise_return_request_link()
        return super().write(vals)

    def _raise_return_request_link(self):
        # The approval of a return request links its transfers (in sudo); a link
        # written by hand would let a transfer receive someone else's return.
        raise UserError(
            self.env._("Only the approval of a return request links its transfers.")
        )

    def _create_backorder(self, backorder_moves=None):
        # The rest of a return still to come keeps the request waiting for it.
        backorders = super()._create_backorder(backorder_moves=backorder_moves)
        for backorder in backorders.sudo().filtered("backorder_id.return_request_id"):
            backorder.return_request_id = backorder.backorder_id.return_request_id
        return backorders

    def _action_done(self):
        result = super()._action_done()
        # Warehouse staff may validate transfers of orders they cannot read.
        for picking in self.sudo().filtered(
            lambda p: p.sale_id.website_id and p.picking_type_code != "incoming"
        ):
            picking._add_order_tracking_event()
        self.sudo().return_request_id._action_receive()
        return result

    def _add_order_tracking_event(self):
        self.ensure_one()
        values = {"picking_id": self.id, "description": self.name}
        if self._filter_customer_deliveries():
            values.update(
                carrier_id=self.carrier_id.id,
                carrier_tracking_ref=self.carrier_tracking_ref,
            )
            return self.sale_id._add_tracking_event("shipped", **values)
        return self.sale_id._add_tracking_event("delivery_step", **values)

    # --- Shipping email of the website ------------------------------------------

    def _filter_website_shipping_email(self, modes=("website", "none")):
        """Deliveries to the customer of web orders whose website's shipping email
        mode is one of ``modes`` (by default: the website decides the email)."""
        return self._filter_customer_deliveries().filtered(
            lambda p: p.sale_id.website_id.shipping_email_mode in modes
        )

    def _send_confirmation_email(self):
        # Odoo sends its company email (and runs the carrier's shipping step) here;
        # for the deliveries whose website decides, the company email is left out
        # (see message_post_with_source) and the website's own goes instead, once.
        # Warehouse staff may validate transfers of orders they cannot read.
        own = self.sudo()._filter_website_shipping_email()
        result = super(
            StockPicking,
            self.with_context(website_shipping_email_picking_ids=tuple(own.ids)),
        )._send_confirmation_email()
        own._filter_website_shipping_email(["website"]).filtered(
            lambda p: p.state == "done" and not p.shipping_email_date
        )._send_website_shipping_email()
        return result

    def message_post_with_source(self, source_ref, **kwargs):
        skipped = self.env.context.get("website_shipping_email_picking_ids")
        if (
            skipped
            and len(self) == 1
            and self.id in skipped
            and source_ref == self.company_id.stock_mail_confirmation_template_id
        ):
            # The company's email on validation: this website sends its own.
            return self.env["mail.message"]
        return super().message_post_with_source(source_ref, **kwargs)

    def _send_website_shipping_email(self):
        for picking in self.with_context(website_shipping_email_picking_ids=None):
            template = picking.sale_id.website_id._get_shipping_email_template()
            picking.message_post_with_source(
                template,
                email_layout_xmlid="mail.mail_notification_light",
                subtype_xmlid="mail.mt_comment",
            )
            picking.shipping_email_date = fields.Datetime.now()
            picking.sale_id._add_tracking_event(
                "email_sent", picking_id=picking.id, description=template.name
            )

    def action_send_shipping_email(self):
        """Send the website's shipping email again (a button of the delivery)."""
        self.check_access("write")
        pickings = self.sudo()._filter_website_shipping_email(["website"])
        pickings.filtered(lambda p: p.state == "done")._send_website_shipping_email()
        return True
