/** @odoo-module **/

import { registry } from "@web/core/registry";

// The carrier reported the parcel out for delivery: the last step is under way.
registry.category("web_tour.tours").add("website_sale_order_tracking_carrier_out_for_delivery", {
    test: true,
    steps: () => [
        {
            content: "The step bar: Shipped done, Out for Delivery under way",
            trigger: ".o_wsot_steps .o_wsot_step[data-state='done']:contains('Shipped') + .o_wsot_step[data-state='current']:contains('Out for Delivery')",
        },
        {
            content: "The delivery shows the carrier's status",
            trigger: ".o_wsot_deliveries .o_wsot_carrier_status[data-status='out_for_delivery']",
        },
        {
            content: "The carrier's event is on the timeline, with its place and message",
            trigger: ".o_wsot_timeline .o_wsot_carrier_event_text:contains('Tehran — With the courier')",
        },
    ],
});

// The carrier delivered the parcel: every step of the page is done.
registry.category("web_tour.tours").add("website_sale_order_tracking_carrier_delivered", {
    test: true,
    steps: () => [
        {
            content: "The step bar ends with Delivered, done",
            trigger: ".o_wsot_steps .o_wsot_step:last-child[data-state='done']:contains('Delivered')",
        },
        {
            content: "No step is left to do",
            trigger: ".o_wsot_steps:not(:has(.o_wsot_step[data-state='todo'])):not(:has(.o_wsot_step[data-state='current']))",
        },
        {
            content: "The delivery is delivered",
            trigger: ".o_wsot_deliveries .o_wsot_carrier_status[data-status='delivered']",
        },
    ],
});
