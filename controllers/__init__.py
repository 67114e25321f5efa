from . import portal_access
from . import portal_tracking
from . import portal_return
from . import portal_invoice
from . import order_status
from . import cart_reminder
from . import portal_my_returns
from . import carrier_webhook
