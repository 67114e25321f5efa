/** @odoo-module **/

import { registry } from "@web/core/registry";

/** Choose the option of ``select`` whose label holds ``text`` (any language). */
function choose(select, text) {
    const option = [...select.options].find((o) => o.value && o.text.includes(text));
    if (!option) {
        throw new Error(`no option ${text} in ${select.name}`);
    }
    select.value = option.value;
    select.dispatchEvent(new Event("change", { bubbles: true }));
}

// The customer asks, on the return form, for the shirt in XL instead of M.
registry.category("web_tour.tours").add("website_sale_order_tracking_exchange_form", {
    test: true,
    steps: () => [
        {
            content: "Open the return form from the tracking page",
            trigger: "a.o_wsot_return_btn",
            run: "click",
        },
        {
            content: "Return one shirt",
            trigger: ".o_wsot_return_line input[type='number']",
            run: "edit 1",
        },
        {
            content: "Say why",
            trigger: ".o_wsot_return_line select[name^='reason_']",
            run() {
                choose(this.anchor, "");
            },
        },
        {
            content: "The exchange offers the other sizes in stock, not XXL",
            trigger: ".o_wsot_exchange select[name^='exchange_']",
            run() {
                const labels = [...this.anchor.options].map((o) => o.text);
                if (labels.some((label) => label.includes("(XXL)"))) {
                    throw new Error("XXL is out of stock: it is not offered");
                }
                choose(this.anchor, "(XL)");
            },
        },
        {
            content: "Send the request",
            trigger: "button.o_wsot_return_submit",
            run: "click",
        },
        {
            content: "The request is received, an exchange for XL",
            trigger: ".o_wsot_return_received",
        },
        {
            content: "Its line says the size asked for",
            trigger: ".o_wsot_exchange_for:contains('(XL)')",
        },
    ],
});

// Approved: the order links its replacement, whose delivery brings the XL.
registry.category("web_tour.tours").add("website_sale_order_tracking_exchange_replacement", {
    test: true,
    steps: () => [
        {
            content: "The order is in exchange: every step of its delivery done",
            trigger: ".o_wsot_steps:not(:has(.o_wsot_step[data-state='todo']))",
        },
        {
            content: "Open the replacement order",
            trigger: ".o_wsot_replacement_order a",
            run: "click",
        },
        {
            content: "The replacement says which order it replaces goods of",
            trigger: ".o_wsot_exchanged_order:contains('WSOT-EXCH-1')",
        },
        {
            content: "Its step bar: confirmed, the delivery being prepared next",
            trigger: ".o_wsot_steps .o_wsot_step[data-state='current'] + .o_wsot_step[data-state='todo']",
        },
        {
            content: "Its delivery brings the XL shirt, reserved",
            trigger: ".o_wsot_parcel .o_wsot_parcel_item:contains('(XL)'):not(:has(.badge))",
        },
    ],
});
