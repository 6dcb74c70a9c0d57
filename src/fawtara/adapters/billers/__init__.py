"""Links to the billers' billing systems. In this deployment each biller's
billing system lives beside the switch (same database, its own use cases), so
the link is a call in process; a biller on its own network would get an HTTP
adapter implementing the same port."""
