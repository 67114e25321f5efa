from . import website_cart_reminder_report
