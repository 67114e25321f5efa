# Copyright 2026 website_sale_order_tracking authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
{
    "name": "eCommerce Order Tracking",
    "summary": "Follow every web order from cart to refund, per website: "
    "assignment, tracking stage and timeline, orders paid offline, abandoned-cart "
    "reminders, shipping emails and tracking page, returns and refunds, invoicing "
    "policy",
    "version": "18.0.1.0.0",
    "category": "Website/Website",
    "website": "https://github.com/website-sale-order-tracking/website_sale_order_tracking",
    "author": "website_sale_order_tracking authors",
    "license": "LGPL-3",
    "depends": [
        "website_sale",
        "sale_stock",
        "stock_delivery",
    ],
    "data": [
        "security/ir.model.access.csv",
        "security/website_sale_order_tracking_security.xml",
        "data/offline_payment_mail_template_data.xml",
        "data/cart_reminder_mail_template_data.xml",
        "data/shipping_mail_template_data.xml",
        "data/website_data.xml",
        "data/return_data.xml",
        "data/ir_cron_data.xml",
        "views/sale_order_tracking_event_views.xml",
        "views/website_order_assignment_rule_views.xml",
        "views/website_cart_reminder_step_views.xml",
        "views/cart_reminder_portal_templates.xml",
        "views/website_layout_templates.xml",
        "views/portal_tracking_templates.xml",
        "views/portal_invoice_templates.xml",
        "views/portal_return_templates.xml",
        "views/order_status_templates.xml",
        "report/website_cart_reminder_report_views.xml",
        "report/sale_return_request_report.xml",
        "wizards/sale_order_confirm_wizard_views.xml",
        "wizards/sale_return_reject_wizard_views.xml",
        "wizards/sale_order_refund_wizard_views.xml",
        "wizards/sale_order_offline_payment_wizard_views.xml",
        "views/sale_return_request_views.xml",
        "views/sale_order_views.xml",
        "views/sale_order_offline_payment_views.xml",
        "views/sale_order_cart_reminder_views.xml",
        "views/account_move_views.xml",
        "views/stock_picking_views.xml",
        "views/res_config_settings_views.xml",
        "views/website_sale_menus.xml",
        "views/website_sale_job_failure_views.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "website_sale_order_tracking/static/tests/tours/*.js",
        ],
    },
}
