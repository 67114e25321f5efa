/** @odoo-module **/

import { registry } from "@web/core/registry";

function check(condition, message) {
    if (!condition) {
        throw new Error(message);
    }
}

/** The bars of ``selector`` start on the reading side of their cell. */
function checkBarsStart(selector, rtl) {
    const bars = [...document.querySelectorAll(selector)].filter(
        (bar) => bar.getBoundingClientRect().width > 2
    );
    check(bars.length, `bars drawn for ${selector}`);
    for (const bar of bars) {
        const box = bar.getBoundingClientRect();
        const cell = bar.parentElement.getBoundingClientRect();
        const style = getComputedStyle(bar.parentElement);
        const gap = rtl
            ? cell.right - parseFloat(style.paddingRight) - box.right
            : box.left - cell.left - parseFloat(style.paddingLeft);
        check(Math.abs(gap) < 2, `the bar starts on the ${rtl ? "right" : "left"}`);
    }
}

function dashboardSteps(texts, rtl) {
    return [
        {
            content: "The dashboard is open, in the user's language",
            trigger: `.o_wsot_after_sale_dashboard h2:contains('${texts.title}')`,
            run() {
                const root = document.querySelector(".o_wsot_after_sale_dashboard");
                check(
                    getComputedStyle(root).direction === (rtl ? "rtl" : "ltr"),
                    "the reading direction"
                );
            },
        },
        {
            content: "The shipped order's lead times, median and 90th percentile",
            trigger: `.o_wsot_dashboard_lead_times tr[data-step='payment_hours'] .o_wsot_median:contains('${texts.twoHours}')`,
            run() {
                checkBarsStart(".o_wsot_dashboard_lead_times .o_wsot_bar", rtl);
            },
        },
        {
            content: "The unpaid order, in its age bucket",
            trigger: ".o_wsot_dashboard_unpaid tr[data-bucket='3_7'] .o_wsot_count:contains('1')",
        },
        {
            content: "The on-time rate",
            trigger: `.o_wsot_on_time_rate:contains('100')`,
        },
        {
            content: "A card opens its report",
            trigger: ".o_wsot_dashboard_unpaid .card-header a",
            run: "click",
        },
        {
            content: "The unpaid offline orders report, in Odoo's pivot",
            trigger: ".o_pivot",
        },
    ];
}

registry.category("web_tour.tours").add("website_sale_order_tracking_after_sale_dashboard", {
    steps: () => dashboardSteps({ title: "After-Sale Dashboard", twoHours: "2.0 h" }, false),
});

registry.category("web_tour.tours").add("website_sale_order_tracking_after_sale_dashboard_fa", {
    steps: () => dashboardSteps({ title: "داشبورد پس از فروش", twoHours: "ساعت" }, true),
});
