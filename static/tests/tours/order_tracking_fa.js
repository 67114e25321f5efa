/** @odoo-module **/

import { registry } from "@web/core/registry";

function check(condition, message) {
    if (!condition) {
        throw new Error(message);
    }
}

// A customer of the Persian shop follows a shipped order on a phone.
registry.category("web_tour.tours").add("website_sale_order_tracking_fa_phone", {
    test: true,
    steps: () => [
        {
            content: "The page is in Persian and right to left",
            trigger: "html[lang='fa-IR'][dir='rtl'] #wrapwrap.o_rtl .o_wsot_order_tracking",
            run() {
                const block = document.querySelector(".o_wsot_order_tracking");
                check(getComputedStyle(block).direction === "rtl", "text runs right to left");
            },
        },
        {
            content: "The order's heading, in Persian",
            trigger: ".o_wsot_order_tracking h3:contains('سفارش'):contains('FA-TOUR-1')",
        },
        {
            content: "The step bar: four steps done, the last one Shipped",
            trigger: ".o_wsot_steps .o_wsot_step[data-state='done']:contains('ارسال شده')",
            run() {
                const steps = [...document.querySelectorAll(".o_wsot_steps .o_wsot_step")];
                check(steps.length === 4, `four steps, not ${steps.length}`);
                check(
                    steps.every((step) => step.dataset.state === "done"),
                    "every step is done"
                );
                const [first, second] = steps.map((step) => step.getBoundingClientRect());
                // Right to left: the first step (Ordered) is the right-most.
                check(
                    first.top !== second.top || first.left > second.left,
                    "the steps run from the right"
                );
            },
        },
        {
            content: "The timeline: the payment received",
            trigger: ".o_wsot_timeline li:contains('پرداخت دریافت شد')",
        },
        {
            content: "The timeline: the parcel shipped, with its tracking number",
            trigger: ".o_wsot_timeline li:contains('ارسال شده'):contains('IR-TOUR-2468')",
        },
        {
            content: "The order's date of arrival, at the top",
            trigger: ".o_wsot_arrives_by:contains('تحویل تا')",
        },
        {
            content: "Two parcels, each with its items, quantities and date",
            trigger: ".o_wsot_deliveries .o_wsot_parcel:contains('IR-TOUR-1357')",
            run() {
                const parcels = [...document.querySelectorAll(".o_wsot_parcel")];
                check(parcels.length === 2, `two parcels, not ${parcels.length}`);
                const [first, second] = parcels;
                check(first.textContent.includes("قوری فیروزه‌ای"), "the teapot in the first");
                check(!first.textContent.includes("فنجان سفالی"), "no cup in the first");
                check(second.textContent.includes("فنجان سفالی"), "the cups in the second");
                check(second.textContent.includes("2.00"), "two cups");
                for (const parcel of parcels) {
                    const date = parcel.querySelector(".o_wsot_parcel_date");
                    check(date && date.textContent.includes("تحویل"), "each parcel has its date");
                    check(parcel.querySelector("img"), "each item has its image");
                    check(
                        parcel.querySelector("a.o_wsot_tracking_link"),
                        "each shipped parcel links to the carrier"
                    );
                }
            },
        },
        {
            content: "The page fits the phone: nothing runs off sideways",
            trigger: ".o_wsot_deliveries a.o_wsot_tracking_link",
            run() {
                const width = document.documentElement.clientWidth;
                check(window.innerWidth === 375, `a phone's 375 px, not ${window.innerWidth}`);
                check(
                    document.documentElement.scrollWidth <= width,
                    `page ${document.documentElement.scrollWidth} px wide for ${width} px`
                );
            },
        },
    ],
});
