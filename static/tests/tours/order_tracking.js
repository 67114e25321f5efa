/** @odoo-module **/

import { registry } from "@web/core/registry";

// A customer goes from the portal order page to its tracking page.
registry.category("web_tour.tours").add("website_sale_order_tracking_portal", {
    test: true,
    steps: () => [
        {
            content: "Open the tracking page from the portal order",
            trigger: "a.o_wsot_tracking_btn",
            run: "click",
        },
        {
            content: "The step bar shows the order shipped",
            trigger: ".o_wsot_steps .o_wsot_step[data-state='done']:contains('Shipped')",
        },
        {
            content: "The delivery has its tracking number",
            trigger: ".o_wsot_deliveries:contains('TOUR-REF')",
        },
    ],
});

// A guest finds an order with its reference and email.
registry.category("web_tour.tours").add("website_sale_order_tracking_guest_lookup", {
    test: true,
    url: "/order-status",
    steps: () => [
        {
            content: "Order reference",
            trigger: "input[name='reference']",
            run: "edit WSOT-TOUR-1",
        },
        {
            content: "Checkout email",
            trigger: "input[name='email']",
            run: "edit wsot_customer_1@example.com",
        },
        {
            content: "Find the order",
            trigger: ".o_wsot_order_status button[type='submit']",
            run: "click",
        },
        {
            content: "The tracking page of the order",
            trigger: ".o_wsot_order_tracking h3:contains('WSOT-TOUR-1')",
        },
    ],
});

// A customer asks for the invoice of a paid order from its tracking page.
registry.category("web_tour.tours").add("website_sale_order_tracking_request_invoice", {
    test: true,
    steps: () => [
        {
            content: "Open the invoice request",
            trigger: "a.o_wsot_request_invoice_btn",
            run: "click",
        },
        {
            content: "An invoice for myself",
            trigger: "input#o_wsot_invoice_consumer",
            run: "click",
        },
        {
            content: "Send the request",
            trigger: "button.o_wsot_request_invoice_submit",
            run: "click",
        },
        {
            content: "Back on the tracking page, the request is confirmed",
            trigger: ".o_wsot_invoice_requested",
        },
        {
            content: "The invoice is being prepared by the invoicing job",
            trigger: ".o_wsot_invoices .o_wsot_invoice_pending",
        },
    ],
});

// A customer asks to return a delivered product from the order's tracking page.
registry.category("web_tour.tours").add("website_sale_order_tracking_return_form", {
    test: true,
    steps: () => [
        {
            content: "Open the return form",
            trigger: "a.o_wsot_return_btn",
            run: "click",
        },
        {
            content: "Quantity to return",
            trigger: ".o_wsot_return_line input[type='number']",
            run: "edit 1",
        },
        {
            content: "Reason",
            trigger: ".o_wsot_return_line select",
            run: "selectByLabel Arrived damaged",
        },
        {
            content: "What is wrong, in the comment box",
            trigger: ".o_wsot_return_form textarea[name='comment']",
            run: "edit The lid is cracked.",
        },
        {
            content: "Send the request",
            trigger: "button.o_wsot_return_submit",
            run: "click",
        },
        {
            content: "The request is acknowledged",
            trigger: ".o_wsot_return_received",
        },
    ],
});
