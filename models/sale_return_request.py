# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

RETURN_STATES = [
    ("requested", "Requested"),
    ("approved", "Approved"),
    ("received", "Received"),
    ("refunded", "Refunded"),
    ("rejected", "Rejected"),
]


class SaleReturnRequest(models.Model):
    _name = "sale.return.request"
    _description = "Return Request"
    _inherit = ["portal.mixin", "mail.thread", "mail.activity.mixin"]
    _order = "id desc"

    name = fields.Char(
        string="Reference", required=True, readonly=True, copy=False, default="/"
    )
    order_id = fields.Many2one(
        "sale.order",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
        tracking=True,
    )
    partner_id = fields.Many2one(
        related="order_id.partner_id", store=True, index=True, string="Customer"
    )
    website_id = fields.Many2one(related="order_id.website_id", store=True)
    company_id = fields.Many2one(related="order_id.company_id", store=True)
    user_id = fields.Many2one(
        related="order_id.user_id", store=True, string="Salesperson"
    )
    team_id = fields.Many2one(related="order_id.team_id", store=True)
    currency_id = fields.Many2one(related="order_id.currency_id")
    state = fields.Selection(
        RETURN_STATES,
        required=True,
        default="requested",
        readonly=True,
        tracking=True,
        copy=False,
    )
    request_date = fields.Datetime(
        required=True, readonly=True, default=fields.Datetime.now, copy=False
    )
    line_ids = fields.One2many(
        "sale.return.request.line", "request_id", string="Lines", readonly=True
    )
    comment = fields.Text(readonly=True, help="The customer's words.")
    photo = fields.Binary(readonly=True, attachment=True)
    photo_filename = fields.Char(readonly=True)
    reject_reason = fields.Text(readonly=True, tracking=True)
    picking_ids = fields.One2many(
        "stock.picking", "return_request_id", string="Return Transfers", readonly=True
    )
    picking_count = fields.Integer(compute="_compute_picking_count")
    amount_total = fields.Monetary(
        string="Returned Value", compute="_compute_amount_total"
    )

    @api.model_create_multi
    def create(self, vals_list):
        self.check_access("create")
        for vals in vals_list:
            self._check_new_request(vals)
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code(
                    "sale.return.request"
                ) or self.env._("New")
        requests = (
            super(SaleReturnRequest, self.with_context(return_lines_checked=True))
            .create(vals_list)
            .with_env(self.env)
        )
        requests.order_id._add_tracking_event("return_requested")
        return requests

    @api.model
    def _check_new_request(self, vals):
        """Refuse a request whose lines may not be returned, before writing it."""
        request = self.new(vals)
        if not request.line_ids:
            raise ValidationError(self.env._("Choose at least one product to return."))
        for line in request.line_ids:
            error = line._get_return_error()
            if error:
                raise ValidationError(error)

    def _compute_access_url(self):
        result = super()._compute_access_url()
        for request in self:
            request.access_url = f"/my/returns/{request.id}"
        return result

    @api.depends("picking_ids")
    def _compute_picking_count(self):
        for request in self:
            request.picking_count = len(request.picking_ids)

    @api.depends("line_ids.quantity", "line_ids.sale_line_id.price_unit")
    def _compute_amount_total(self):
        for request in self:
            request.amount_total = sum(
                line.quantity * line.sale_line_id.price_reduce_taxinc
                for line in request.line_ids
            )

    def _notify_new_request(self):
        """The customer gets an acknowledgement; the salesperson an activity."""
        template = self.env.ref(
            "website_sale_order_tracking.mail_template_return_requested",
            raise_if_not_found=False,
        )
        for request in self:
            if template:
                request.message_post_with_source(
                    template, subtype_xmlid="mail.mt_comment"
                )
            order = request.order_id
            request.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=self.env._("Review the return request"),
                user_id=(order.user_id or order.team_id.user_id or self.env.user).id,
            )

    # --- Workflow ---------------------------------------------------------------

    def _check_state(self, *states):
        for request in self:
            if request.state not in states:
                raise UserError(
                    self.env._(
                        "Return %(name)s is %(state)s: it cannot do that now.",
                        name=request.name,
                        state=dict(
                            self._fields["state"]._description_selection(self.env)
                        )[request.state],
                    )
                )

    def action_approve(self):
        """Approve: Odoo's return of the delivered transfers, for the asked lines."""
        self._check_state("requested")
        for request in self:
            request._create_return_pickings()
            request.state = "approved"
            request.order_id._add_tracking_event(
                "return_approved", description=request.name
            )
        return True

    def _create_return_pickings(self):
        self.ensure_one()
        for picking, quantities in self._get_quantities_to_return().items():
            wizard = (
                self.env["stock.return.picking"]
                .with_context(active_id=picking.id, active_model="stock.picking")
                .create({"picking_id": picking.id})
            )
            for return_line in wizard.product_return_moves:
                return_line.quantity = quantities.get(return_line.move_id, 0.0)
            new_picking = wizard._create_return()
            new_picking.return_request_id = self

    def _get_quantities_to_return(self):
        """{delivery: {move: quantity}}: each line taken from its latest deliveries."""
        to_return = defaultdict(dict)
        for line in self.line_ids:
            left = line.quantity
            for move in line.sale_line_id._get_delivered_moves().sorted(
                "date", reverse=True
            ):
                if left <= 0:
                    break
                quantity = min(left, move.quantity)
                to_return[move.picking_id][move] = quantity
                left -= quantity
        return to_return

    def _action_receive(self):
        """The return transfers are all validated: the goods are back."""
        received = self.filtered(
            lambda r: r.state == "approved"
            and r.picking_ids
            and all(p.state in ("done", "cancel") for p in r.picking_ids)
        )
        for request in received:
            request.state = "received"
            request.order_id._add_tracking_event("returned", description=request.name)
        return received

    def action_open_reject_wizard(self):
        self._check_state("requested", "approved")
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Reject Return"),
            "res_model": "sale.return.reject.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_request_ids": self.ids},
        }

    def _reject(self, reason):
        reason = (reason or "").strip()
        if not reason:
            raise UserError(self.env._("Say why the return is rejected."))
        self._check_state("requested", "approved")
        self.picking_ids.filtered(
            lambda p: p.state not in ("done", "cancel")
        ).action_cancel()
        self.write({"state": "rejected", "reject_reason": reason})
        template = self.env.ref(
            "website_sale_order_tracking.mail_template_return_rejected",
            raise_if_not_found=False,
        )
        for request in self:
            request.order_id._add_tracking_event(
                "return_rejected", description=request.name
            )
            if template:
                request.message_post_with_source(
                    template, subtype_xmlid="mail.mt_comment"
                )

    def action_open_refund_wizard(self):
        self.ensure_one()
        self._check_state("received")
        return self.order_id.action_open_refund_wizard(return_request=self)

    def _get_return_address(self):
        """Where the customer sends the parcel: the warehouse the goods came from."""
        self.ensure_one()
        warehouse = self.order_id.warehouse_id
        return warehouse.partner_id or self.company_id.partner_id

    def action_view_pickings(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "stock.action_picking_tree_all"
        )
        action["domain"] = [("id", "in", self.picking_ids.ids)]
        if len(self.picking_ids) == 1:
            action.update(
                view_mode="form", views=[(False, "form")], res_id=self.picking_ids.id
            )
        return action
