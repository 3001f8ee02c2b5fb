"""Payment orders (mandamientos de pago) for assessed fees."""
