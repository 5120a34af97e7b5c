"""Your rules, one module per resource: hooks the routes call inside the transaction of each
write. specforge writes these modules once and never changes them afterwards."""
