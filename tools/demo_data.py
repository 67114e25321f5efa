# Demo orders for `make run`, fed to `odoo-bin shell` once the addon is installed
# with Odoo's demo data: a second website, customers with and without a company,
# the demo and wire-transfer providers, and web orders in every tracking stage,
# made through the ORM the shop uses (carts, transactions, pickings).
# ruff: noqa: F821 (``env`` is given by odoo-bin shell)
from odoo import Command, fields

if env["ir.actions.report"].get_wkhtmltopdf_state() in ("install", "broken"):
    # Without wkhtmltopdf, Odoo cannot attach the order's PDF to its emails, and
    # confirming a paid order fails: the demo's emails go without it.
    print(
        "wkhtmltopdf is missing (apt-get install wkhtmltopdf): demo emails get no PDF"
    )
    env["mail.template"].search(
        [("model", "=", "sale.order")]
    ).report_template_ids = False

website = env["website"].search([], limit=1)
website_2 = env["website"].search([("id", "!=", website.id)], limit=1) or env[
    "website"
].create({"name": "Second Shop", "company_id": website.company_id.id})
team = website.salesteam_id or env["crm.team"].search([], limit=1)
website.write({"unpaid_reminder_days": 2, "unpaid_cancel_days": 7})
website_2.write(
    {
        "salesteam_id": team.id,
        "order_assignment_mode": "round_robin",
        "unpaid_reminder_days": 3,
        "unpaid_cancel_days": 10,
    }
)

demo = env.ref("payment.payment_provider_demo")
demo.write({"state": "test", "is_published": True})
transfer = env.ref("payment.payment_provider_transfer")
transfer.write(
    {
        "state": "enabled",
        "is_published": True,
        "payment_method_ids": [
            Command.set(env.ref("payment_custom.payment_method_wire_transfer").ids)
        ],
    }
)
env.ref("payment_custom.payment_method_wire_transfer").active = True
transfer._transfer_ensure_pending_msg_is_set()
carrier = env["delivery.carrier"].search(
    [("is_published", "=", True)], limit=1
) or env.ref("delivery.free_delivery_carrier")
carrier.is_published = True
products = env["product.product"].search(
    [("is_storable", "=", True), ("sale_ok", "=", True)], limit=3
)
products.product_tmpl_id.write({"website_published": True})
warehouse = env["stock.warehouse"].search([], limit=1)
for product in products:
    env["stock.quant"]._update_available_quantity(product, warehouse.lot_stock_id, 50)

company = env["res.partner"].create(
    {
        "name": "Parsian Trading Co.",
        "is_company": True,
        "country_id": env.ref("base.ir").id,
        "city": "Tehran",
        "street": "Enghelab St 12",
        "zip": "1134567890",
    }
)
customers = env["res.users"]
for index, (name, parent) in enumerate(
    [("Sara Ahmadi", False), ("Reza Karimi", company), ("Jane Doe", False)]
):
    customers |= env["res.users"].create(
        {
            "name": name,
            "login": f"customer{index + 1}",
            "password": f"customer{index + 1}",
            "groups_id": [Command.set([env.ref("base.group_portal").id])],
        }
    )
    customers[-1].partner_id.write(
        {
            "email": f"customer{index + 1}@example.com",
            "street": "Valiasr St 10",
            "city": "Tehran",
            "zip": "1234567890",
            "country_id": env.ref("base.ir").id,
            "parent_id": parent and parent.id,
            "phone": "+98 21 5555 0000",
        }
    )


def cart(customer, shop, quantity=1):
    """A cart as the shop leaves it (the shell has no request to drive the shop)."""
    partner = customer.partner_id if customer._name == "res.users" else customer
    return env["sale.order"].create(
        {
            "partner_id": partner.id,
            "website_id": shop.id,
            "order_line": [
                Command.create({"product_id": product.id, "product_uom_qty": quantity})
                for product in products[:2]
            ],
        }
    )


def checkout(order, provider, state=None):
    """Pay as the payment form does: a transaction, then its provider's notice."""
    order._set_delivery_method(carrier)
    tx = env["payment.transaction"].create(
        {
            "provider_id": provider.id,
            "payment_method_id": provider.payment_method_ids[:1].id,
            "amount": order.amount_total,
            "currency_id": order.currency_id.id,
            "partner_id": order.partner_invoice_id.id,
            "operation": "online_direct"
            if provider.code == "demo"
            else "online_redirect",
            "reference": env["payment.transaction"]._compute_reference(
                provider.code, sale_order_ids=[Command.set(order.ids)]
            ),
            "sale_order_ids": [Command.set(order.ids)],
        }
    )
    data = {"reference": tx.reference}
    if provider.code == "demo":
        data.update(payment_details="4242", simulated_state=state or "done")
    if state != "draft":
        tx._handle_notification_data(provider.code, data)
        tx._post_process()
    return order


def prepare(order):
    """The warehouse has picked the products, not shipped them yet."""
    order.picking_ids.action_assign()
    order.picking_ids.move_ids.picked = True


def ship(order, partial=False):
    picking = order.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))[
        :1
    ]
    picking.action_assign()
    for move in picking.move_ids:
        move.quantity = 1 if partial else move.product_uom_qty
        move.picked = True
    picking.carrier_tracking_ref = "DEMO-%s" % order.id
    result = picking.with_context(skip_sms=True).button_validate()
    if isinstance(result, dict):
        env["stock.backorder.confirmation"].with_context(**result["context"]).create(
            {}
        ).process()


for shop in (website, website_2):
    a, b, c = customers
    cart(a, shop)  # Cart
    checkout(cart(b, shop), demo, state="draft")  # Awaiting payment
    checkout(cart(c, shop), transfer)  # To confirm manually
    checkout(cart(a, shop), demo)  # Confirmed
    prepare(checkout(cart(c, shop), demo))  # In preparation
    ship(checkout(cart(b, shop, 2), demo), partial=True)  # Partially shipped
    ship(checkout(cart(c, shop), demo))  # Shipped
    checkout(cart(a, shop), transfer)._action_cancel()  # Cancelled
# Abandoned carts of two shoppers who gave their email, on the first website with
# its reminder sequence on: both get step 1, then one of them orders.
website.write({"cart_abandoned_delay": 1.0, "cart_reminder_enabled": True})
hours_ago = fields.Datetime.subtract(fields.Datetime.now(), hours=3)
website.cart_reminder_start_date = fields.Datetime.subtract(hours_ago, days=1)
shoppers = env["res.partner"].create(
    [
        {
            "name": name,
            "email": email,
            "country_id": env.ref("base.ir").id,
            "city": "Shiraz",
            "street": "Zand Blvd 5",
            "zip": "7134567890",
        }
        for name, email in [
            ("Ali Rahimi", "shopper1@example.com"),
            ("Mina Sadeghi", "shopper2@example.com"),
        ]
    ]
)
abandoned = [cart(shopper, website) for shopper in shoppers]
for order in abandoned:
    order.cart_update_date = hours_ago
env["sale.order"]._cron_send_cart_reminders()
checkout(abandoned[1], demo)  # recovered after its reminder
env.cr.commit()
print("Demo orders created")
