from . import sale_order_confirm_wizard
from . import sale_return_reject_wizard
from . import sale_order_refund_wizard
from . import sale_order_offline_payment_wizard
from . import delivery_carrier_event_import
from . import website_sale_order_exception_wizard
